'use strict'
// Errors from the native engine carry the OS's words ("File too large (os error 27)"); Node
// users look for err.code ('EFBIG') and err.errno, as fs gives them. This adds both.
const { getSystemErrorName } = require('node:util')

function withErrno(err, path) {
  if (err instanceof Error && err.code === 'GenericFailure') {
    const m = /\(os error (\d+)\)/.exec(err.message)
    if (m) {
      err.errno = -Number(m[1])
      try {
        err.code = getSystemErrorName(err.errno)
      } catch {
        err.code = 'EIO'
      }
      if (path !== undefined) err.path = path
    } else {
      delete err.code
    }
  }
  return err
}

module.exports = { withErrno }
