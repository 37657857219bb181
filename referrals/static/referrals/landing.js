// Copy button for the referral code. The page works without it: the code is plain text.
(function () {
  "use strict";
  var button = document.getElementById("copy-code");
  var code = document.getElementById("referral-code");
  if (!button || !code) {
    return;
  }
  var label = button.textContent;

  function done() {
    button.textContent = button.getAttribute("data-copied");
    button.setAttribute("aria-live", "polite");
    window.setTimeout(function () { button.textContent = label; }, 2500);
  }

  function fallback(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "absolute";
    field.style.left = "-9999px";
    document.body.appendChild(field);
    field.select();
    try {
      document.execCommand("copy");
      done();
    } finally {
      document.body.removeChild(field);
    }
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    var text = code.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); });
    } else {
      fallback(text);
    }
  });
})();
