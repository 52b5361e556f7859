import { describe, expect, test } from 'vitest';
import { formatJson } from '../../src/report/format-json.js';
import { cleanReport, sampleReport } from './sample-report.js';

describe('formatJson', () => {
  test('round-trips: the JSON is the report itself', () => {
    expect(JSON.parse(formatJson(sampleReport()))).toEqual(sampleReport());
    expect(JSON.parse(formatJson(cleanReport()))).toEqual(cleanReport());
  });

  test('pretty-printed with two spaces and a trailing newline', () => {
    const text = formatJson(sampleReport());
    expect(text.startsWith('{\n  "schemaVersion": 1,\n  "tool": {\n    "name": "lockstep",')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
