// Progressive enhancement only: every page works without this file.
import { initAll } from '/vendor/govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// Content swapped in by htmx gets the same GOV.UK behaviour (error summary focus, buttons...).
document.body.addEventListener('htmx:afterSwap', (event) => {
  initAll({ scope: event.detail.target })
  const summary = event.detail.target.querySelector('.govuk-error-summary')
  if (summary) summary.focus()
})

// Radios that reveal a choice's own fields (GOV.UK conditional reveal). Without this script every
// choice's fields show. GOV.UK Frontend's radios module would also set aria-expanded on each radio,
// which ARIA does not allow on radios (axe aria-allowed-attr), so the reveal is done here.
for (const group of document.querySelectorAll('[data-module="portal-conditional-radios"]')) {
  const inputs = group.querySelectorAll('input[type="radio"][aria-controls]')
  const sync = () => {
    for (const input of inputs) {
      const panel = document.getElementById(input.getAttribute('aria-controls'))
      if (panel) panel.classList.toggle('govuk-radios__conditional--hidden', !input.checked)
    }
  }
  group.addEventListener('change', sync)
  sync()
}

// Session time-out warning (WCAG 2.2.1). The server enforces the limit; this only warns.
const body = document.body
const idleSeconds = Number(body.dataset.sessionIdleSeconds || 0)
const warnSeconds = Number(body.dataset.sessionWarningSeconds || 0)
const dialog = document.getElementById('session-timeout-dialog')

if (idleSeconds > 0 && dialog && typeof dialog.showModal === 'function') {
  let warnTimer
  let expireTimer
  const countdown = dialog.querySelector('.portal-timeout-dialog__countdown')
  const schedule = () => {
    clearTimeout(warnTimer)
    clearTimeout(expireTimer)
    warnTimer = setTimeout(() => {
      if (countdown) countdown.textContent = `${Math.round(warnSeconds / 60)} minutes`
      dialog.showModal()
    }, Math.max(0, (idleSeconds - warnSeconds) * 1000))
    expireTimer = setTimeout(() => {
      window.location.assign('/signed-out?reason=timeout')
    }, idleSeconds * 1000)
  }
  const form = dialog.querySelector('form')
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const token = form.querySelector('input[name="csrf_token"]').value
    const response = await fetch(form.action, {
      method: 'POST',
      headers: { 'X-CSRF-Token': token, 'HX-Request': 'true' },
      credentials: 'same-origin'
    })
    if (response.ok) {
      dialog.close()
      schedule()
    } else {
      window.location.assign('/signed-out?reason=timeout')
    }
  })
  // Any htmx request also keeps the server session alive: restart the clock after each one.
  document.body.addEventListener('htmx:afterRequest', schedule)
  schedule()
}
