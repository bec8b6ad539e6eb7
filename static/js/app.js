/* The page's few behaviours, from this file rather than inline attributes: the
   Content-Security-Policy runs no inline script. */
document.addEventListener("DOMContentLoaded", function () {
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
