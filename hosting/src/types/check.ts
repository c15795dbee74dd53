/**
 * `true` when `Listed` names every member of the union `T`, else the members it misses:
 * `true satisfies Covers<T, Listed>;` fails to compile, naming them, when `T` grows.
 */
export type Covers<T, Listed extends T> = [Exclude<T, Listed>] extends [never]
  ? true
  : { missing: Exclude<T, Listed> };
