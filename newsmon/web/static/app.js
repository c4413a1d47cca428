// newsmon's only script of its own (the CSP allows no inline script).
// Empty filters stay out of the URL that htmx requests and pushes: a search reads /?q=OpenAI,
// not /?q=OpenAI&since=&source=&lang=&event=&org=.
document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.formData;
  if (event.detail.verb !== "get" || !form) {
    return;
  }
  for (const [name, value] of Array.from(form.entries())) {
    if (value === "") {
      form.delete(name);
    }
  }
});
