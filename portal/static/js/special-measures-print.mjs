// Progressive enhancement for the printable application: a Print button (without JavaScript,
// the browser's own print command does the same).
for (const button of document.querySelectorAll('[data-portal-print]')) {
  button.hidden = false
  button.addEventListener('click', () => window.print())
}
