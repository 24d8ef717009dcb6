'use strict'
// Reads the chunks of a native readAll: either a plain JSON array of events, or the
// values-only form described in src/store/values_only.rs, where events of a repeated key list
// ("shape") come as their values only and are built by one generated object literal per shape,
// which V8 does faster than JSON.parse reads the keys.

/** JS source of an object literal taking its values from `a[i]`, `a[i + 1]`, ... */
function literal(entries, next) {
  const members = entries.map((entry) => {
    const [key, nested] = typeof entry === 'string' ? [entry, null] : entry
    // A literal's plain `__proto__:` sets the prototype; a computed key defines a property,
    // as JSON.parse does. (The engine does not send such shapes; this keeps it exact anyway.)
    const name = key === '__proto__' ? '["__proto__"]' : JSON.stringify(key)
    return `${name}: ${nested === null ? `a[i + ${next()}]` : literal(nested, next)}`
  })
  return `{${members.join(', ')}}`
}

/** A function `(a, i) => event` for one shape, and how many values it takes. */
function constructorFor(shape) {
  let width = 0
  const source = `return ${literal(shape, () => width++)}`
  try {
    return { make: new Function('a', 'i', source), width }
  } catch {
    // Code generation is disallowed (--disallow-code-generation-from-strings): the same
    // objects, built member by member.
    return { make: (a, i) => build(shape, a, { at: i }), width }
  }
}

/** The object of `shape` from the values at `a[cursor.at]` on, as the generated literal. */
function build(shape, a, cursor) {
  const o = {}
  for (const entry of shape) {
    const [key, nested] = typeof entry === 'string' ? [entry, null] : entry
    const value = nested === null ? a[cursor.at++] : build(nested, a, cursor)
    if (key === '__proto__') {
      Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true })
    } else {
      o[key] = value
    }
  }
  return o
}

class ChunkDecoder {
  /** Constructors of the read's shapes so far, by number - 1. */
  #shapes = []

  /** Appends the events of chunk `text` to `out`. */
  decode(text, out) {
    const chunk = JSON.parse(text)
    if (Array.isArray(chunk)) {
      for (const e of chunk) out.push(e)
      return
    }
    for (const shape of chunk.s) this.#shapes.push(constructorFor(shape))
    const v = chunk.v
    const shapes = this.#shapes
    for (let i = 0; i < v.length; ) {
      const id = v[i]
      if (id === 0) {
        out.push(v[i + 1])
        i += 2
      } else {
        const { make, width } = shapes[id - 1]
        out.push(make(v, i + 1))
        i += 1 + width
      }
    }
  }
}

module.exports = { ChunkDecoder }
