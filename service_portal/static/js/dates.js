// Date and time fields in the portal's format (29/11/2026, 29.11.2026 14:30), whatever the
// browser's locale: the server renders text inputs with data-picker="date" or "datetime"
// (service_portal/forms.py); a click on one opens a calendar (air-datepicker, from npm) that
// writes the same format. Typing works as well, the calendar is a help. No inline script or
// style: the words come from the <script type="application/json" id="datepicker-locale"> block.
(function () {
  "use strict";

  var locale = null;

  function readLocale() {
    if (locale === null) {
      var block = document.getElementById("datepicker-locale");
      locale = block ? JSON.parse(block.textContent) : false;
    }
    return locale;
  }

  // "29/11/2026 14:30" in the format "dd/MM/yyyy" -> a Date, or null.
  function parse(value, format) {
    var order = format.match(/dd|MM|yyyy/g);
    var numbers = (value || "").match(/\d+/g);
    if (!order || !numbers || numbers.length < 3) return null;
    var parts = {};
    order.forEach(function (token, i) { parts[token] = parseInt(numbers[i], 10); });
    if (/^\d{4}-\d{2}-\d{2}/.test(value)) {  // ISO, as links and older pages write it
      parts = {yyyy: +numbers[0], MM: +numbers[1], dd: +numbers[2]};
    }
    var hours = numbers.length >= 5 ? parseInt(numbers[3], 10) : 0;
    var minutes = numbers.length >= 5 ? parseInt(numbers[4], 10) : 0;
    var date = new Date(parts.yyyy, parts.MM - 1, parts.dd, hours, minutes);
    return isNaN(date.getTime()) || date.getDate() !== parts.dd ? null : date;
  }

  function attach(input) {
    var words = readLocale();
    if (!words || !window.AirDatepicker || input.dataset.pickerReady) return;
    input.dataset.pickerReady = "1";
    var withTime = input.dataset.picker === "datetime";
    var picker = null;
    // Before the calendar opens it shows what is typed in the field.
    input.addEventListener("click", function () {
      var date = parse(input.value, words.dateFormat);
      if (picker && date) {
        picker.selectDate(date, {silent: true});
        picker.setViewDate(date);
      }
    });
    picker = new window.AirDatepicker(input, {
      locale: words,
      dateFormat: words.dateFormat,
      timeFormat: words.timeFormat,
      firstDay: words.firstDay,
      timepicker: withTime,
      minutesStep: withTime ? 5 : 1,
      autoClose: !withTime,
      showEvent: "click",  // not on focus: a keyboard user types the date, the calendar stays shut
      keyboardNav: false,  // the arrow keys move the caret in the typed date
      buttons: ["today", "clear"],
      onSelect: function () {
        input.dispatchEvent(new Event("change", {bubbles: true}));
      },
    });
  }

  function attachAll(root) {
    (root || document).querySelectorAll("input[data-picker]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  // Sections swapped in by htmx bring their own fields.
  document.addEventListener("htmx:load", function (event) { attachAll(event.target); });
})();
