/* Sen bulk upload: one request per file, four at a time, each with its own progress
   bar and result; then the page polls the batch for the content checks and duplicate
   findings that the worker adds. No framework: this runs inside Wagtail's admin. */
(function () {
  "use strict";
  var form = document.getElementById("sen-batch-form");
  if (!form) return;
  var strings = JSON.parse(document.getElementById("sen-upload-i18n").textContent);
  var dropzone = document.getElementById("sen-dropzone");
  var input = document.getElementById("sen-file-input");
  var list = document.getElementById("sen-upload-list");
  var summary = document.getElementById("sen-summary");
  var batchLink = document.getElementById("sen-batch-link");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var CONCURRENCY = 4;
  var batch = null;
  var creating = null;
  var queue = [];
  var active = 0;
  var counts = { total: 0, done: 0, refused: 0 };
  var rows = {};
  var polling = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function updateSummary() {
    summary.textContent = strings.summary
      .replace("{done}", counts.done).replace("{total}", counts.total).replace("{refused}", counts.refused);
  }

  function createBatch() {
    if (batch) return Promise.resolve(batch);
    if (creating) return creating;
    var data = new FormData(form);
    data.delete("file");
    creating = fetch(form.action, { method: "POST", body: data, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) {
            creating = null;
            showFormErrors(json.errors || {});
            throw new Error("form");
          }
          batch = json;
          batchLink.hidden = false;
          batchLink.querySelector("a").href = json.page_url;
          form.querySelectorAll(".sen-batch-fields input, .sen-batch-fields select").forEach(function (field) { field.disabled = true; });
          return batch;
        });
      });
    return creating;
  }

  function showFormErrors(errors) {
    form.querySelectorAll(".sen-field-error").forEach(function (node) { node.remove(); });
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      var message = el("p", { class: "error-message sen-field-error", role: "alert" }, errors[name].map(function (e) { return e.message; }).join(" "));
      if (field) field.closest("li").appendChild(message);
    });
    summary.textContent = strings.form;
  }

  function addFiles(files) {
    Array.prototype.forEach.call(files, function (file) {
      var row = el("li", { "data-name": file.name });
      var name = el("strong", {}, file.name);
      var progress = el("progress", { max: "100", value: "0", "aria-label": file.name });
      var state = el("span", { class: "sen-state" }, strings.queued);
      var detail = el("div", { class: "sen-detail" });
      row.append(name, " ", progress, " ", state, detail);
      list.appendChild(row);
      queue.push({ file: file, row: row, progress: progress, state: state, detail: detail });
      counts.total += 1;
    });
    updateSummary();
    createBatch().then(pump).catch(function () {
      queue.forEach(function (job) { job.state.textContent = strings.form; });
      queue = [];
      counts.total = counts.done;
    });
  }

  function pump() {
    while (active < CONCURRENCY && queue.length) send(queue.shift());
  }

  function send(job) {
    active += 1;
    job.state.textContent = strings.uploading;
    var xhr = new XMLHttpRequest();
    var data = new FormData();
    data.append("file", job.file, job.file.name);
    xhr.open("POST", batch.upload_url);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) job.progress.value = Math.floor((event.loaded / event.total) * 99);
    };
    xhr.onload = function () {
      var result = null;
      try { result = JSON.parse(xhr.responseText); } catch (e) { result = null; }
      job.progress.value = 100;
      if (!result) {
        result = { status: "refused", message: strings.server };
      }
      finish(job, result);
    };
    xhr.onerror = function () { job.progress.value = 100; finish(job, { status: "refused", message: strings.network }); };
    xhr.send(data);
  }

  function finish(job, result) {
    active -= 1;
    counts.done += 1;
    if (result.status === "refused") counts.refused += 1;
    render(job.row, result);
    updateSummary();
    pump();
    if (!active && !queue.length) startPolling();
  }

  function render(row, result) {
    if (result.id) rows[result.id] = row;
    row.dataset.status = result.status;
    var state = row.querySelector(".sen-state");
    var detail = row.querySelector(".sen-detail");
    detail.textContent = "";
    if (result.status === "refused") {
      state.textContent = strings.refused;
      detail.appendChild(el("p", { class: "sen-error", role: "alert" }, result.message));
      return;
    }
    if (result.status === "dropped") { state.textContent = strings.dropped; return; }
    state.textContent = strings.accepted + " · " + (strings[result.check] || strings.pending);
    row.dataset.check = result.check || "pending";
    if (result.edit_url) {
      detail.appendChild(el("a", { href: result.edit_url, target: "_blank" }, strings.edit + ": " + result.title));
    }
    if (result.check === "quarantined") {
      detail.appendChild(el("p", { class: "sen-error", role: "alert" }, strings.quarantined));
    }
    (result.duplicates || []).forEach(function (twin) {
      if (row.dataset.kept) return;
      var note = el("p", { class: "sen-warning" });
      note.append((twin.identical ? strings.duplicate : strings.near_duplicate) + " ");
      note.appendChild(el("a", { href: twin.url, target: "_blank" }, twin.title + " (" + twin.organisation + ")"));
      var keep = el("button", { type: "button", class: "button button-small button-secondary" }, strings.keep);
      var drop = el("button", { type: "button", class: "button button-small no" }, strings.drop);
      keep.onclick = function () { row.dataset.kept = "1"; note.textContent = strings.kept; };
      drop.onclick = function () { dropItem(result.id, row); };
      note.append(" ", keep, " ", drop);
      detail.appendChild(note);
    });
  }

  function dropItem(id, row) {
    var url = list.dataset.dropUrl.replace("/0/", "/" + id + "/");
    fetch(url, { method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (result) { render(row, result); });
  }

  function startPolling() {
    if (polling || !batch) return;
    var rounds = 0;
    polling = setInterval(function () {
      rounds += 1;
      fetch(batch.status_url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (json) {
          var pending = 0;
          json.items.forEach(function (item) {
            var row = rows[item.id];
            if (!row || row.dataset.status === "dropped") return;
            render(row, item);
            if (item.status === "accepted" && item.check === "pending") pending += 1;
          });
          if ((!pending && !active && !queue.length) || rounds > 150) {
            clearInterval(polling);
            polling = null;
          }
        });
    }, 2000);
  }

  ["dragenter", "dragover"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) { event.preventDefault(); dropzone.classList.add("is-over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) { event.preventDefault(); dropzone.classList.remove("is-over"); });
  });
  dropzone.addEventListener("drop", function (event) { addFiles(event.dataTransfer.files); });
  input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
})();
