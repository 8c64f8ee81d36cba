// The notification list: a live countdown to each whistle's report-in deadline (no inline scripts: CSP).
(function () {
  "use strict";

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (element) {
      var due = Date.parse(element.dataset.countdown);
      if (isNaN(due)) return;
      var left = Math.floor((due - now) / 1000);
      if (left <= 0) {
        element.textContent = element.dataset.passed;
        element.classList.add("text-danger");
        return;
      }
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      var time = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
      element.textContent = element.dataset.left + " " + time;
      element.classList.toggle("text-danger", left < 600);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
