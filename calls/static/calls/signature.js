// The customer's signature on the technician's phone or tablet: a canvas drawn with pointer
// events (finger, pen or mouse). On submit the drawing goes into the hidden "signature" field as
// a PNG data URL. Initialised on every htmx swap (the management page is swapped as a whole).
(function () {
  "use strict";

  function setUp(root) {
    root.querySelectorAll("[data-signature-pad]").forEach(function (canvas) {
      if (canvas.dataset.ready) return;
      canvas.dataset.ready = "1";
      // CSSOM, not a style attribute (strict CSP): no scrolling while signing, fixed height.
      canvas.style.touchAction = "none";
      canvas.style.height = "180px";
      var form = canvas.closest("form");
      var field = form.querySelector("input[name=signature]");
      var clear = form.querySelector("[data-signature-clear]");
      var ctx = canvas.getContext("2d");
      var drawing = false;
      var drawn = false;

      function resize() {
        var ratio = window.devicePixelRatio || 1;
        var width = canvas.clientWidth;
        var height = canvas.clientHeight;
        canvas.width = width * ratio;
        canvas.height = height * ratio;
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        ctx.lineWidth = 2.2;
        ctx.lineCap = "round";
        ctx.lineJoin = "round";
        ctx.strokeStyle = "#111";
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, width, height);
        drawn = false;
      }

      function point(event) {
        var rect = canvas.getBoundingClientRect();
        return { x: event.clientX - rect.left, y: event.clientY - rect.top };
      }

      canvas.addEventListener("pointerdown", function (event) {
        event.preventDefault();
        canvas.setPointerCapture(event.pointerId);
        drawing = true;
        var p = point(event);
        ctx.beginPath();
        ctx.moveTo(p.x, p.y);
        ctx.lineTo(p.x + 0.1, p.y + 0.1);
        ctx.stroke();
        drawn = true;
      });
      canvas.addEventListener("pointermove", function (event) {
        if (!drawing) return;
        event.preventDefault();
        var p = point(event);
        ctx.lineTo(p.x, p.y);
        ctx.stroke();
      });
      ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
        canvas.addEventListener(name, function () {
          drawing = false;
        });
      });
      if (clear) {
        clear.addEventListener("click", function () {
          resize();
          field.value = "";
        });
      }
      form.addEventListener("submit", function () {
        field.value = drawn ? canvas.toDataURL("image/png") : "";
      });
      // htmx serialises the form before "submit" handlers of plain forms run: fill it first.
      form.addEventListener("htmx:configRequest", function (event) {
        var value = drawn ? canvas.toDataURL("image/png") : "";
        field.value = value;
        event.detail.parameters.set
          ? event.detail.parameters.set("signature", value)
          : (event.detail.parameters.signature = value);
      });
      resize();
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      setUp(document);
    });
  }
})();
