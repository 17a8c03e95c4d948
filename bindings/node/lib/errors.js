'use strict';

// Status codes of kiln.h, by name. KilnError#code is one of these names.
const Status = Object.freeze({
  KILN_OK: 0,
  KILN_NOT_FOUND: 1,
  KILN_INVALID_ARGUMENT: 10,
  KILN_CONFLICT: 11,
  KILN_LOCKED: 20,
  KILN_CLOSED: 21,
  KILN_READ_ONLY: 22,
  KILN_IO_ERROR: 30,
  KILN_CORRUPTION: 31,
  KILN_NO_SPACE: 32,
  KILN_INTERNAL: 40,
  KILN_NO_MEMORY: 41,
});

// Every engine failure. `code` is the C status name ('KILN_CONFLICT', ...),
// `status` the numeric kiln_status. Switch on `code`.
class KilnError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status === undefined ? Status[code] : status;
  }

  get name() {
    return 'KilnError';
  }
}

module.exports = { KilnError, Status };
