// Reload the page every 5 s while a screening runs (the server renders its progress).
setTimeout(function () { window.location.reload(); }, 5000);
