// The busy state of a page while a request runs: one helper for every
// "disable the buttons, try, say what went wrong, give the buttons back"
// block of the hosted pages and the console.

// buttonsBusy returns the busy switch of scope: on, every button in it is
// disabled and scope is marked aria-busy; off, the buttons come back.
// after(on), when given, runs after each switch (a page that keeps some
// button disabled for its own reasons re-applies them there).
export function buttonsBusy(scope, after) {
  return (on) => {
    for (const b of scope.querySelectorAll("button")) b.disabled = on;
    scope.setAttribute("aria-busy", on ? "true" : "false");
    if (after) after(on);
  };
}

// withBusy runs fn with busy(true), and busy(false) once fn settles,
// whatever happened. An error fn throws goes to onError when given (then
// withBusy resolves to undefined), else it is thrown again after
// busy(false). It resolves to what fn returns.
export async function withBusy(busy, fn, onError) {
  busy(true);
  try {
    return await fn();
  } catch (err) {
    if (!onError) throw err;
    onError(err);
    return undefined;
  } finally {
    busy(false);
  }
}
