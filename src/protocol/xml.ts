import type { Shape, StructureShape } from './shapes.js';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };

/** Escapes text for an XML element or attribute. `\r` is kept as a character reference so that it survives parsing. */
export function escapeXml(text: string): string {
  return /[&<>"'\r]/.test(text) ? text.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c]!) : text;
}

/**
 * Writes a structure's members as XML elements, the way AWS Query services render their results: a member's
 * `locationName` names its element, flattened lists and maps repeat the element without a wrapper, other lists wrap
 * `<member>` elements and other maps wrap `<entry><key/><value/></entry>`.
 */
export function writeMembers(shape: StructureShape, value: Record<string, unknown>, out: string[]): void {
  for (const name in shape.m) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    const member = shape.m[name]!;
    writeValue(member, v, member.ln ?? name, out);
  }
}

function writeValue(shape: Shape, value: unknown, element: string, out: string[]): void {
  switch (shape.t) {
    case 'structure':
      out.push(`<${element}>`);
      writeMembers(shape, value as Record<string, unknown>, out);
      out.push(`</${element}>`);
      return;
    case 'list': {
      const items = value as unknown[];
      if (shape.f) {
        const itemName = shape.e.ln ?? element;
        for (const item of items) writeValue(shape.e, item, itemName, out);
      } else {
        out.push(`<${element}>`);
        for (const item of items) writeValue(shape.e, item, shape.e.ln ?? 'member', out);
        out.push(`</${element}>`);
      }
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      const keyName = shape.k.ln ?? 'key';
      const valueName = shape.v.ln ?? 'value';
      if (!shape.f) out.push(`<${element}>`);
      for (const [k, v] of entries) {
        out.push(shape.f ? `<${element}>` : '<entry>', `<${keyName}>${escapeXml(k)}</${keyName}>`);
        writeValue(shape.v, v, valueName, out);
        out.push(shape.f ? `</${element}>` : '</entry>');
      }
      if (!shape.f) out.push(`</${element}>`);
      return;
    }
    case 'timestamp': {
      const text = typeof value === 'number' ? new Date(value).toISOString() : String(value);
      out.push(`<${element}>${escapeXml(text)}</${element}>`);
      return;
    }
    default:
      out.push(`<${element}>${escapeXml(String(value))}</${element}>`);
  }
}
