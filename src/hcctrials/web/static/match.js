// Match form: scores as the fields are filled (POST /api/scores/form), and the print button.
// No patient data is kept in the browser beyond the form itself.
(function () {
  "use strict";
  var form = document.getElementById("match-form");
  var panel = document.getElementById("live-scores");
  var printButton = document.getElementById("print-summary");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (!form || !panel) { return; }
  var timer = null;
  var sequence = 0;

  function fill(template, name, value) { return template.replace("{" + name + "}", value); }

  function setCell(key, text) {
    var row = panel.querySelector('tr[data-score="' + key + '"] td');
    if (row) { row.textContent = text; }
  }

  function stage(result, field) {
    if (result[field]) { return result[field]; }
    if (result.candidates && result.candidates.length) {
      return fill(panel.dataset.possible, "classes", result.candidates.join("/"));
    }
    return "-";
  }

  function show(scores) {
    var locale = panel.dataset.lang === "zh" ? "zh-CN" : "en-GB";
    var cp = scores.child_pugh;
    setCell("child_pugh", cp.label ? cp.label : (cp.classes_possible && cp.classes_possible.length ?
      fill(panel.dataset.possible, "classes", cp.classes_possible.join("/")) : "-"));
    var albi = scores.albi;
    setCell("albi", albi.score === null ? "-" :
      albi.score.toLocaleString(locale, {maximumFractionDigits: 2, minimumFractionDigits: 2}) +
      " (" + fill(panel.dataset.grade, "grade", albi.grade) + ")");
    setCell("meld", scores.meld.score === null ? "-" : String(scores.meld.score));
    setCell("meld_na", scores.meld_na.score === null ? "-" : String(scores.meld_na.score));
    setCell("bclc", stage(scores.bclc, "stage"));
    setCell("cnlc", stage(scores.cnlc, "stage"));
    var missing = [];
    [cp, albi, scores.meld, scores.bclc, scores.cnlc].forEach(function (s) {
      (s.missing || []).forEach(function (m) { if (missing.indexOf(m) < 0) { missing.push(m); } });
    });
    var note = document.getElementById("scores-note");
    note.textContent = missing.length ? fill(panel.dataset.missing, "items", missing.join(", ")) : "";
    panel.dataset.updated = String(sequence);
  }

  function update() {
    var mine = ++sequence;
    fetch("/api/scores/form", {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      })
      .then(function (answer) {
        if (mine !== sequence) { return; }
        if (answer.ok) { show(answer.body); }
        else {
          document.getElementById("scores-note").textContent =
            fill(panel.dataset.error, "detail", answer.body.detail || answer.body.title);
          panel.dataset.updated = String(sequence);
        }
      })
      .catch(function () { /* offline: the scores come with the results */ });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 250);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
