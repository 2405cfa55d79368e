/**
 * The compact form of AWS's service models that scripts/generate-models.mjs writes into models/. Member names
 * are short because the files are loaded at start: `t` type, `m` members, `r` required, `e` list element,
 * `k`/`v` map key/value, `ln` the Query/XML element name, `f` flattened (Query lists and maps).
 */
export interface ShapeBase {
  ln?: string;
  f?: boolean;
}
export interface StructureShape extends ShapeBase {
  t: 'structure';
  m: Record<string, Shape>;
  r?: string[];
}
export interface ListShape extends ShapeBase {
  t: 'list';
  e: Shape;
}
export interface MapShape extends ShapeBase {
  t: 'map';
  k: Shape;
  v: Shape;
}
export interface ScalarShape extends ShapeBase {
  t: 'string' | 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp' | 'double' | 'float';
}
export type Shape = StructureShape | ListShape | MapShape | ScalarShape;

export interface OperationModel {
  input: StructureShape;
  output?: StructureShape;
  resultWrapper?: string;
}

export interface ServiceModel {
  apiVersion: string;
  targetPrefix?: string;
  xmlNamespace: string;
  operations: Record<string, OperationModel>;
}
