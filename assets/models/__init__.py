"""Sen's asset library. Import models from `assets.models`, not from submodules."""

from .assets import (  # noqa: F401
    CONTENT_LANGUAGE_CHOICES,
    Asset,
    DatePrecision,
    OneAssetItem,
    Photo,
    PhotoTag,
    Publication,
    PublicationEdition,
    PublicationTag,
    Video,
    VideoSubtitle,
    VideoTag,
)
from .files import SenDocument, SenImage, SenMedia, SenRendition  # noqa: F401
from .organisations import Membership, Organisation, OrganisationFormerName  # noqa: F401
from .places import Place  # noqa: F401
from .rights import Licence  # noqa: F401
from .taxonomy import Event, InformationClass, Topic  # noqa: F401

ASSET_MODELS = (Photo, Video, Publication)
