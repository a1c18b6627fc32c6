# The public site's fixtures (a published photo with renditions, a visitor, ...).
from ..cms.conftest import *  # noqa: F403
from ..cms.conftest import _vietnamese_first  # noqa: F401 - autouse
