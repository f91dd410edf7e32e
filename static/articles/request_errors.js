/* Site-wide: a failed htmx request becomes a readable message in the page's #flash box, and the next
 * request clears it. Loaded on every page. */

function flash(message, kind) {
  const box = document.getElementById("flash");
  if (!box) return;
  const note = document.createElement("p");
  note.className = "notice notice-" + kind;
  note.setAttribute("role", kind === "error" ? "alert" : "status");
  note.textContent = message;
  box.replaceChildren(note);
}

function failureMessage(xhr) {
  const status = xhr.status;
  const body = typeof xhr.responseText === "string" ? xhr.responseText : "";
  if (status === 403 && /CSRF/i.test(body)) {
    return "Your session's security token is missing or expired. Reload the page, then try again.";
  }
  if (status === 403) return "You do not have permission to do that in this project.";
  if (status === 404) return "That no longer exists: it may have been deleted, or you lost access to it.";
  if (status === 413) return "That is larger than the server accepts.";
  if (status === 429) return "Too many requests at once. Wait a moment, then try again.";
  if (status >= 500) return "The server could not finish this (error " + status + "). Nothing was changed; try again.";
  return "The request failed (error " + status + ").";
}

document.addEventListener("htmx:responseError", (event) => flash(failureMessage(event.detail.xhr), "error"));
document.addEventListener("htmx:sendError", () => {
  flash("Could not reach the server. Check your connection, then try again.", "error");
});
document.addEventListener("htmx:beforeRequest", () => {
  const box = document.getElementById("flash");
  if (box) box.querySelectorAll(".notice-error").forEach((note) => note.remove());
});
