import { Components } from './component-loader.js';

/** A field shown (in forms and on the record page) only when other fields have one of these values. */
export function onlyFor(showIf: Record<string, string[]>) {
  return { components: { edit: Components.FormField, show: Components.FormField }, custom: { showIf } };
}
