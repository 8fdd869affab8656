// Browser helpers for the dashboard and execution pages (loaded after app.js).
window.replicationAdmin = window.replicationAdmin || {};

// Minutes east of UTC, so the server can show times in the browser's zone.
window.replicationAdmin.timeZoneOffsetMinutes = function () {
  return -new Date().getTimezoneOffset();
};

// Copies text to the clipboard; falls back to a hidden text area where the Clipboard API is unavailable (plain http).
window.replicationAdmin.copyText = async function (text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (e) {
    // fall through to the text-area path
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch (e) {
    copied = false;
  }
  document.body.removeChild(area);
  return copied;
};
