// Passkeys (WebAuthn): the browser makes or uses a passkey for the form that asks for one.
// A form marked data-passkey="create" or "get" carries the portal's options (JSON, binary
// values in base64url) in data-passkey-options, and a hidden field for the browser's answer
// (data-passkey-answer). On submit the browser asks for the passkey; its answer is put in the
// field, in base64url, and the form is posted (with its CSRF token) as usual. Without
// JavaScript the form posts with no answer and the portal says passkeys need JavaScript.

const toBytes = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer
}

const toText = (buffer) => {
  let binary = ''
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const withIds = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }))

const creation = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  user: { ...options.user, id: toBytes(options.user.id) },
  excludeCredentials: withIds(options.excludeCredentials)
})

const request = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  allowCredentials: withIds(options.allowCredentials)
})

const common = (credential) => {
  const answer = {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults()
  }
  if (credential.authenticatorAttachment) {
    answer.authenticatorAttachment = credential.authenticatorAttachment
  }
  return answer
}

const made = (credential) => ({
  ...common(credential),
  response: {
    clientDataJSON: toText(credential.response.clientDataJSON),
    attestationObject: toText(credential.response.attestationObject),
    transports: credential.response.getTransports ? credential.response.getTransports() : []
  }
})

const used = (credential) => {
  const response = credential.response
  const answer = {
    clientDataJSON: toText(response.clientDataJSON),
    authenticatorData: toText(response.authenticatorData),
    signature: toText(response.signature)
  }
  if (response.userHandle) answer.userHandle = toText(response.userHandle)
  return { ...common(credential), response: answer }
}

const NOT_DONE =
  'Your browser did not make or use a passkey. Select the button to try again, or check your passkey is ready'

const showProblem = (form, text) => {
  const slot = form.querySelector('[data-passkey-problem]')
  if (!slot) return
  slot.hidden = false
  slot.querySelector('[data-passkey-problem-text]').textContent = text
}

for (const form of document.querySelectorAll('form[data-passkey]')) {
  if (!window.PublicKeyCredential || !navigator.credentials) continue
  for (const hint of form.querySelectorAll('[data-passkey-unsupported]')) hint.hidden = true
  form.addEventListener('submit', async (event) => {
    const field = form.querySelector('[data-passkey-answer]')
    if (!field || field.value) return
    event.preventDefault()
    const button = form.querySelector('button[type=submit]')
    if (button) button.disabled = true
    try {
      const options = JSON.parse(form.dataset.passkeyOptions)
      const answer =
        form.dataset.passkey === 'create'
          ? made(await navigator.credentials.create({ publicKey: creation(options) }))
          : used(await navigator.credentials.get({ publicKey: request(options) }))
      field.value = JSON.stringify(answer)
      form.submit()
    } catch (problem) {
      if (button) button.disabled = false
      showProblem(form, NOT_DONE)
    }
  })
}
