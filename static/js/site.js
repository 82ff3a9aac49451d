// Site-wide behaviour. No inline scripts anywhere: the CSP allows only files from this origin.
document.documentElement.classList.add("js");

(function () {
  "use strict";

  // The bank's "Filters (n)" toggle counts the filters that are set as they change.
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.filters");
    if (!form) return;
    var selects = form.querySelectorAll(".filter-panel select");
    var count = Array.prototype.filter.call(selects, function (select) {
      return select.value !== "";
    }).length;
    var label = form.querySelector(".filter-count");
    if (label) label.textContent = count ? " (" + count + ")" : "";
  });

  // The new-interview form: how many questions match the choices, and the time it takes.
  function describeTime(seconds) {
    if (seconds < 60) return seconds + " seconds";
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + (minutes === 1 ? " minute" : " minutes");
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    return hours + " h" + (rest ? " " + rest + " min" : "");
  }

  function updateSummary() {
    var output = document.getElementById("interview-summary");
    var data = document.getElementById("bank-counts");
    if (!output || !data) return;
    var form = output.form || output.closest("form");
    var rows = JSON.parse(data.textContent);
    var topics = Array.prototype.map.call(
      form.querySelectorAll('input[name="topics"]:checked'), function (box) { return box.value; });
    var difficulty = (form.querySelector('input[name="difficulty"]:checked') || {}).value || "";
    var wanted = parseInt(form.querySelector('input[name="question_count"]').value, 10);
    var perQuestion = parseInt(
      (form.querySelector('input[name="time_limit"]:checked') || {}).value || "0", 10);
    var matching = rows.reduce(function (total, row) {
      var topicOk = !topics.length || topics.indexOf(row[0]) !== -1;
      var levelOk = !difficulty || row[1] === difficulty;
      return total + (topicOk && levelOk ? row[2] : 0);
    }, 0);
    var text = matching + (matching === 1 ? " question matches" : " questions match") + ".";
    if (!isNaN(wanted) && wanted > 0) {
      var taken = Math.min(wanted, matching);
      if (matching < wanted) text += " You would get " + taken + ", not " + wanted + ".";
      text += perQuestion
        ? " Up to " + describeTime(taken * perQuestion) + " in all (" + taken + " × " +
          describeTime(perQuestion) + ")."
        : " Untimed.";
    }
    output.textContent = text;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var output = document.getElementById("interview-summary");
    if (!output) return;
    var form = output.closest("form");
    form.addEventListener("change", updateSummary);
    form.addEventListener("input", updateSummary);
    updateSummary();
  });
})();
