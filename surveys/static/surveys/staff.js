// Staff pages: progressive enhancements only; every page works without this script.
// 1. The workbook page follows the export's progress by polling the API and starts the download when
//    the file is ready (without JavaScript the page has an "Uppdatera" link).
// 2. The new-round form shows the e-mail preview while the coordinator types (without JavaScript the
//    "Förhandsgranska" button posts the form and the page shows the same preview).
(function () {
  "use strict";
  // 0. A wide table that scrolls sideways on a narrow screen gets a keyboard stop and a name, so it can
  //    be scrolled without a mouse; tables that fit get no extra stop.
  var wraps = document.querySelectorAll(".table-wrap");
  var fitTables = function () {
    Array.prototype.forEach.call(wraps, function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tabell");
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  };
  fitTables();
  window.addEventListener("resize", fitTables);

  if (!window.fetch) { return; }

  var exportBox = document.querySelector("[data-export-status]");
  if (exportBox && exportBox.querySelector("progress")) {
    var bar = exportBox.querySelector("progress");
    var text = exportBox.querySelector(".export-percent");
    var ready = exportBox.querySelector(".export-ready");
    var waiting = exportBox.querySelector(".export-waiting");
    var poll = function () {
      fetch(exportBox.getAttribute("data-export-status"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          bar.value = job.progress;
          if (job.state === "done") {
            text.textContent = "Klar – filen laddas ned";
            ready.hidden = false;
            if (waiting) { waiting.hidden = true; }
            window.location.href = exportBox.getAttribute("data-export-download");
          } else if (job.state === "failed") {
            text.textContent = "Arbetsboken kunde inte byggas: " + (job.error || "okänt fel");
          } else {
            text.textContent = job.progress + " % klart";
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    if (ready.hidden) { window.setTimeout(poll, 500); }
  }

  var form = document.querySelector("form[data-preview]");
  if (form && window.FormData) {
    var status = form.querySelector(".preview-status");
    var timer = null;
    var show = function (id, value) { var e = document.getElementById(id); if (e) { e.textContent = value; } };
    var refresh = function () {
      timer = null;
      fetch(form.getAttribute("data-preview"), { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.errors) {
            var first = Object.keys(data.errors)[0];
            status.textContent = "Förhandsgranskningen väntar: " + (data.errors[first] || [""])[0];
            return;
          }
          status.textContent = "";
          show("preview-invitation-subject", data.invitation.subject);
          show("preview-invitation-body", data.invitation.body);
          show("preview-reminder-subject", data.reminder.subject);
          show("preview-reminder-body", data.reminder.body);
        })
        .catch(function () { status.textContent = ""; });
    };
    form.addEventListener("input", function () { if (timer) { window.clearTimeout(timer); } timer = window.setTimeout(refresh, 600); });
    refresh();
  }
})();
