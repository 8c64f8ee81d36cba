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

  // The whistle's lead department follows the chosen category (its default department) until the user picks one.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches("[data-follows-category]")) {
      select.dataset.touched = "true";
      return;
    }
    if (!select.matches("select[name=category]") || !select.form) return;
    var lead = select.form.querySelector("[data-follows-category]");
    var map = lead && document.getElementById(lead.dataset.followsCategory);
    if (!map || lead.dataset.touched === "true") return;
    var department = JSON.parse(map.textContent)[select.value];
    lead.value = department === undefined ? "" : String(department);
  });

  // A select marked data-follows="<field>" (core.forms.ParentedSelect) offers only the options whose data-parent
  // is the value chosen in that field of its form, all of them while none is chosen; the empty option stays.
  // On a change a choice the new parent does not have is cleared (and announced, so its own followers narrow
  // too). On load and after an htmx swap the choice the server rendered stays shown: it is what the page shows.
  function narrow(select, clear) {
    var parent = select.form && select.form.elements.namedItem(select.dataset.follows);
    if (!parent || parent.tagName !== "SELECT") return;
    var cleared = false;
    Array.prototype.forEach.call(select.options, function (option) {
      var other = parent.value !== "" && option.dataset.parent !== undefined && option.dataset.parent !== parent.value;
      if (other && option.selected && !clear) other = false;
      if (other && option.selected) cleared = true;
      option.hidden = other;
      option.disabled = other;
    });
    if (cleared) {
      select.value = "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function narrowAll(root) {
    root.querySelectorAll("select[data-follows]").forEach(function (select) { narrow(select, false); });
  }

  document.addEventListener("change", function (event) {
    var parent = event.target;
    if (!parent.form || !parent.name) return;
    parent.form.querySelectorAll("select[data-follows]").forEach(function (select) {
      if (select.dataset.follows === parent.name) narrow(select, true);
    });
  });
  document.addEventListener("htmx:afterSwap", function () { narrowAll(document); });
  narrowAll(document);

  // A form marked data-send-once is sent once: while it is on its way a second tap (or Enter) does nothing and
  // its buttons are disabled. The server answers a repeat with the first outcome anyway (its one-time token).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-send-once]")) return;
    if (form.dataset.sending === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    form.setAttribute("aria-busy", "true");
    // Disabled after this event: the buttons' own values are still sent with the form.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  // Back to a page kept by the browser (back button): its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-send-once][data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    });
  });

})();
