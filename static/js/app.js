/* The page's few behaviours, from this file rather than inline attributes: the
   Content-Security-Policy runs no inline script. */
// With script, narrow screens fold the menu behind its button (static/css/app.css); without, it stays open.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  // The menu button of narrow screens opens and closes the menu.
  document.querySelectorAll(".menu-toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.closest(".topbar").classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  // A select that applies itself when changed (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A form that asks before doing what cannot be undone; the question is the attribute's text.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
});
