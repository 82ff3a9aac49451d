// The take page: countdown from the server's seconds-left, autosave state, keyboard submit.
// The server owns the clock: we count down from the seconds it sent (measured with the
// monotonic performance clock, so a wrong wall clock on this machine changes nothing), and at
// zero we submit whatever is typed. Autosave itself is htmx (hx-post on the textarea); here we
// only show its state and retry when the connection drops.
(function () {
  "use strict";

  var timer = null;

  function format(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function localTime(iso) {
    var date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleTimeString();
  }

  function setStatus(text, state) {
    var status = document.getElementById("save-status");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("save-status-error", state === "error");
    status.classList.toggle("save-status-pending", state === "pending");
  }

  function start() {
    var panel = document.getElementById("interview-panel");
    if (timer) { clearInterval(timer); timer = null; }
    if (!panel) return;
    var form = document.getElementById("answer-form");
    var textarea = document.getElementById("answer-text");
    var submitButton = document.getElementById("submit-answer");
    var backupKey = "answer-draft-" + panel.dataset.answerId;
    panel.dataset.ready = "true";

    // Show the saved time in the candidate's own time zone.
    var saved = document.querySelector("#save-status time");
    if (saved) saved.textContent = localTime(saved.getAttribute("datetime"));

    if (textarea) {
      // Text typed after the last successful save (e.g. the session expired) comes back.
      var backup = null;
      try { backup = sessionStorage.getItem(backupKey); } catch (e) { backup = null; }
      if (backup && backup !== textarea.value && backup.indexOf(textarea.value) === 0) {
        textarea.value = backup;
        setStatus("Restored text typed after the last save; saving it now…", "pending");
        window.htmx.trigger(textarea, "retry-save");
      }
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      textarea.addEventListener("input", function () {
        setStatus("Saving…", "pending");
        // A local copy in case the session or the connection is lost before the next save.
        try { sessionStorage.setItem(backupKey, textarea.value); } catch (e) { /* private mode */ }
      });
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          form.requestSubmit(submitButton);
        }
      });
    }

    var secondsLeft = parseFloat(panel.dataset.secondsLeft);
    var countdown = document.querySelector("#countdown .countdown-value");
    if (!isNaN(secondsLeft) && countdown) {
      var endsAt = performance.now() + secondsLeft * 1000;
      var fired = false;
      var tick = function () {
        var left = (endsAt - performance.now()) / 1000;
        countdown.textContent = format(left);
        document.getElementById("countdown").classList.toggle("countdown-low", left <= 15);
        if (left <= 0 && !fired) {
          fired = true;
          clearInterval(timer);
          timer = null;
          setStatus("Time is up: submitting what you typed…", "pending");
          form.requestSubmit(submitButton);
        }
      };
      tick();
      timer = setInterval(tick, 250);
    }
  }

  document.addEventListener("DOMContentLoaded", start);

  // The panel is swapped with outerHTML: the new element arrives through htmx:load, which
  // htmx fires once it has wired the element's own triggers (the autosave).
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (!elt) return;
    if (elt.id === "interview-panel") start();
    if (elt.id === "save-status") {
      var time = elt.querySelector("time");
      if (time) time.textContent = localTime(time.getAttribute("datetime"));
    }
  });

  // A save that never reached the server: say so, and try again shortly.
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "answer-text") {
      setStatus("Not saved: connection lost. Retrying…", "error");
      window.htmx.trigger(elt, "retry-save");
    } else {
      setStatus("Connection lost: nothing was sent. Check your connection and try again.", "error");
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status >= 500) {
      setStatus("Not saved: the server had a problem. Retrying…", "error");
      var elt = event.detail.elt;
      if (elt && elt.id === "answer-text") window.htmx.trigger(elt, "retry-save");
    }
  });
})();
