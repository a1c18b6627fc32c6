/* The add form fills its empty fields from what the chosen file says (EXIF, IPTC,
 * XMP) before anything is saved: the file goes to ingest:file_metadata, which checks
 * it like any upload and stores nothing. What the contributor already typed is never
 * replaced. Messages come translated from the server (data-sen-prefill-* attributes). */
(function () {
  "use strict";

  function statusFor(input) {
    var status = input.parentNode.querySelector(".sen-prefill-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "help sen-prefill-status";
      status.setAttribute("role", "status");
      input.parentNode.appendChild(status);
    }
    return status;
  }

  function labelOf(field) {
    var label = field.id && document.querySelector('label[for="' + field.id + '"]');
    return label ? label.textContent.replace(/\*/g, "").trim() : field.name;
  }

  function fill(form, fields) {
    var filled = [];
    Object.keys(fields).forEach(function (name) {
      var field = form.elements[name];
      if (!field || field.disabled || (field.value || "").trim()) {
        return;
      }
      if (field.tagName === "SELECT" && !field.querySelector('option[value="' + fields[name] + '"]')) {
        return;
      }
      field.value = fields[name];
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
      filled.push(labelOf(field));
    });
    return filled;
  }

  function read(input) {
    var form = input.form;
    var status = statusFor(input);
    if (!input.files || !input.files.length) {
      status.textContent = "";
      return;
    }
    var data = new FormData();
    data.append("file", input.files[0]);
    status.textContent = input.dataset.senPrefillReading;
    fetch(input.dataset.senPrefillUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          status.textContent = result.body.message;
          status.classList.add("error-message");
          return;
        }
        status.classList.remove("error-message");
        var filled = fill(form, result.body.fields || {});
        status.textContent = filled.length
          ? input.dataset.senPrefillDone.replace("%(fields)s", filled.join(", "))
          : input.dataset.senPrefillNothing;
      })
      .catch(function () {
        status.textContent = input.dataset.senPrefillFailed;
      });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-sen-prefill-url]")) {
      read(input);
    }
  });
})();
