// Small behaviours of the pages (no inline scripts: the CSP allows only files from this site).
(function () {
  "use strict";

  // "Use my location" on the intake form: fill the coordinates from the device, if it allows.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-locate]");
    if (!button) return;
    var form = button.closest("form");
    var status = form.querySelector("[data-locate-status]");
    if (!navigator.geolocation) {
      status.textContent = button.dataset.failed;
      return;
    }
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var fields = { latitude: position.coords.latitude, longitude: position.coords.longitude };
        Object.keys(fields).forEach(function (name) {
          var input = form.querySelector("[name=" + name + "]");
          input.value = fields[name].toFixed(6);
          input.dispatchEvent(new Event("change", { bubbles: true }));
        });
        status.textContent = "";
      },
      function () { status.textContent = button.dataset.failed; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });

})();
