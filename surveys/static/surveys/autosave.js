// Autosave for the questionnaire's section pages: a progressive enhancement. The page works without
// this script (the "Spara utkast" button posts the same form). Saves a few seconds after typing stops
// and when a field loses focus; sends the version the page was loaded with, so a colleague's newer
// answer is never overwritten (the server answers 409 with the conflicting questions).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = form.querySelector(".autosave-status");
  var timer = null, dirty = false, busy = false, again = false, DELAY = 3000;

  function say(text) { if (status) { status.textContent = text; } }
  function clock() { var d = new Date(); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }

  function save() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!dirty) { return; }
    if (busy) { again = true; return; }
    busy = true; dirty = false;
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      var data = res.data;
      if (data.locked) { say("Enkäten kan inte ändras längre."); return; }
      if (data.error) { say(data.error); return; }
      // The page keeps the version it was loaded with: it still shows the answers of that version, so
      // the server can tell this page's own changes from newer ones made elsewhere (a colleague, or another
      // tab): the page's autosaves carry its page id and never conflict with themselves. A full save
      // (Spara utkast) reloads the page with the new version.
      if (data.conflicts && data.conflicts.length) {
        say(data.conflicts.length + " av frågorna har ändrats av en kollega eller i en annan flik. Tryck Spara utkast för att se båda svaren.");
      } else if (data.errors && Object.keys(data.errors).length) {
        say("Utkastet sparades " + clock() + ", utom " + Object.keys(data.errors).length + " svar som behöver rättas. Tryck Spara utkast för att se vad.");
      } else {
        say("Utkastet sparades automatiskt " + clock() + ".");
      }
    }).catch(function () {
      dirty = true;
      say("Utkastet kunde inte sparas automatiskt. Tryck Spara utkast.");
    }).then(function () {
      busy = false;
      if (again) { again = false; save(); }
    });
  }

  function changed() {
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, DELAY);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", function () { if (dirty) { save(); } });
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } dirty = false; });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
