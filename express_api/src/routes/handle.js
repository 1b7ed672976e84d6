'use strict';
// Route handlers are module-level functions of (deps, req, res, next) in src/handlers/; a router
// hands them the app's collaborators here, so no handler is nested in a router factory.

/** handle(handler): the handler as Express calls it, with `deps` as its first argument. */
function withDeps(deps) {
  return (handler) => {
    const bound = (req, res, next) => handler(deps, req, res, next);
    Object.defineProperty(bound, 'name', { value: handler.name }); // stack traces name the handler
    return bound;
  };
}

module.exports = { withDeps };
