// The county page's drag-and-drop upload: the same intake as the plain form (POST /upload),
// through POST /api/returns with the session's CSRF token; then the page shows the findings.
"use strict";
(function () {
  var form = document.getElementById("upload");
  var auto = document.querySelector("select[data-autosubmit]");
  if (auto) {
    auto.addEventListener("change", function () { auto.form.submit(); });
  }
  if (!form || !window.fetch || !window.FormData) {
    return; // the plain form still works
  }
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var status = document.getElementById("status");
  var limit = parseInt(form.getAttribute("data-limit"), 10);

  function say(text, kind) {
    status.textContent = text;
    status.className = "status " + (kind || "");
  }

  function send(file) {
    if (!file) {
      return;
    }
    if (file.size > limit) {
      say("文件超过 " + form.getAttribute("data-limit-text") + " 的上限，未上传：请检查是否选错了文件", "failed");
      return;
    }
    var data = new FormData();
    data.append("file", file, file.name);
    data.append("period", document.getElementById("period").value);
    say("正在上传并校验“" + file.name + "”……", "busy");
    fetch("/api/returns", {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": form.getAttribute("data-csrf") }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.status === 201) {
          window.location.href = "/unit?show=" + body.id + "#findings";
        } else {
          say(body.error || ("上传失败（HTTP " + response.status + "）"), "failed");
        }
      });
    }).catch(function () {
      say("无法连接报送服务：请检查网络后重试", "failed");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.files[0]);
  });
  input.addEventListener("change", function () { send(input.files[0]); });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      event.preventDefault();
      drop.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      event.preventDefault();
      drop.classList.remove("over");
    });
  });
  drop.addEventListener("drop", function (event) {
    send(event.dataTransfer.files[0]);
  });
})();
