/** Finding the page's elements: a missing one is a broken build, said at once. */
export function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the viewer page has no #${id} ${type.name}`);
  return el;
}
