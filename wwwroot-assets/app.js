// Small browser helpers for Replication Admin.
window.replicationAdmin = {
  // Remembers the light/dark choice for a year; the server reads it so the first paint has the right colours.
  rememberTheme: function (mode) {
    document.cookie = "ra-theme=" + (mode === "dark" ? "dark" : "light") + "; path=/; max-age=31536000; samesite=lax";
    document.body.classList.toggle("ra-dark", mode === "dark");
    document.body.classList.toggle("ra-light", mode !== "dark");
  }
};
