// A form with data-progress="ID" shows the element ID (a "calcul en cours" note) and disables its
// submit button while the server computes: the page is replaced by the answer when it comes.
document.querySelectorAll("form[data-progress]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var note = document.getElementById(form.dataset.progress);
    if (note) { note.hidden = false; }
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
  });
});
// After a submission the answer is in view: the browser follows the action's #fragment; focus it
// too, so that screen readers announce it.
if (window.location.hash) {
  var target = document.querySelector(window.location.hash);
  if (target && target.focus) { target.focus(); }
}
