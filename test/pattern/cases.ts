// Loads the data tables beside this file's source (the JSON is not compiled into dist/).
import { readFileSync } from 'node:fs';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function loadCases<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../test/pattern/${name}`, import.meta.url), 'utf8')) as T;
}
