// The take page: countdown from the server's seconds-left, autosave state, keyboard submit.
// The server owns the clock: we count down from the seconds it sent (measured with the
// monotonic performance clock, so a wrong wall clock on this machine changes nothing), and at
// zero we submit whatever is typed. Autosave itself is htmx (hx-post on the textarea); here we
// only show its state and retry when the connection drops.
(function () {
  "use strict";

  var timer = null;
  // Whether the last save failed: the next success is then announced as a recovery.
  var saveFailed = false;
  // Announced once each, as the clock passes them (seconds left).
  var MILESTONES = [60, 30, 10];

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) return;
    // Cleared first, so the same words said twice are read twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function spoken(seconds) {
    if (seconds >= 60) {
      var minutes = Math.round(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes") + " left";
    }
    return seconds + " seconds left";
  }

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
    if (state === "error") {
      saveFailed = true;
      announce(text);
    }
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

    // Show the saved time and the deadline in the candidate's own time zone, as the clock
    // beside them counts; the server's zone name, there for pages without JavaScript, goes.
    var saved = document.querySelector("#save-status time");
    if (saved) saved.textContent = localTime(saved.getAttribute("datetime"));
    var deadline = panel.querySelector(".deadline time");
    if (deadline) {
      deadline.textContent = localTime(deadline.getAttribute("datetime"));
      var zone = panel.querySelector(".deadline-zone");
      if (zone) zone.remove();
    }

    // No keyboard shortcut to describe on a touch screen (the hint is hidden there too).
    if (textarea && window.matchMedia("(hover: none) and (pointer: coarse)").matches) {
      textarea.setAttribute("aria-describedby", "question-prompt");
    }

    // "Cancel" in the end-interview confirmation: without JavaScript it reloads the page; here
    // it simply closes the confirmation and puts focus back on its toggle.
    var endMenu = panel.querySelector(".end-interview");
    var cancel = panel.querySelector(".end-cancel");
    if (endMenu && cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        endMenu.open = false;
        endMenu.querySelector("summary").focus();
      });
    }

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
      // Milestones already behind us when the page opened are not announced.
      var pending = MILESTONES.filter(function (mark) { return mark < secondsLeft; });
      var tick = function () {
        var left = (endsAt - performance.now()) / 1000;
        if (pending.length && left <= pending[0]) {
          var mark = pending.shift();
          while (pending.length && left <= pending[0]) mark = pending.shift();
          announce(spoken(mark));
        }
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
      // Only failures and recoveries are read out, never each routine "Saved".
      if (elt.classList.contains("save-status-error")) {
        saveFailed = true;
        announce(elt.textContent.trim());
      } else if (saveFailed && time) {
        saveFailed = false;
        announce("Saved again at " + time.textContent + ".");
      }
    }
  });

  // Submit, Skip or End carries the text itself: a draft save still in flight is cancelled so
  // that it cannot land after the answer is closed (it would only be refused) or race it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = document.getElementById("answer-form");
    var box = document.getElementById("answer-text");
    if (!form || !box || elt === box) return;
    if (elt === form || form.contains(elt)) window.htmx.trigger(box, "htmx:abort");
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
