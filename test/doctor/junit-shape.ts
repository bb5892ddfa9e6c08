/** Parses JUnit XML and checks it element by element against the common junit.xsd shape. */
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'failure'].includes(name), processEntities: true });

/** The JUnit shape CI parsers accept (the common junit.xsd): checked element by element. */
export function checkJunitShape(xml: string): any {
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  assert.ok(!/<!DOCTYPE/i.test(xml));
  const doc = parser.parse(xml);
  const root = doc.testsuites;
  assert.ok(root, 'root element is <testsuites>');
  let tests = 0;
  let failures = 0;
  for (const s of root.testsuite ?? []) {
    assert.match(s.name, /^xfed\.[a-z]+$/);
    for (const a of ['tests', 'failures', 'errors', 'skipped']) assert.match(s[a], /^\d+$/, `testsuite@${a}`);
    assert.match(s.time, /^\d+\.\d{3}$/);
    assert.match(s.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'xsd:dateTime without zone, as junit.xsd wants');
    const cases = s.testcase ?? [];
    assert.equal(Number(s.tests), cases.length);
    const names = new Set<string>();
    let sf = 0;
    for (const c of cases) {
      assert.equal(c.classname, s.name);
      assert.ok(c.name && !names.has(c.name), `unique testcase name ${c.name}`);
      names.add(c.name);
      assert.match(c.time, /^\d+\.\d{3}$/);
      for (const k of Object.keys(c)) assert.ok(['classname', 'name', 'time', 'failure', 'system-out'].includes(k), `unexpected ${k} in testcase`);
      if (c.failure) {
        assert.equal(c.failure.length, 1, 'one failure per testcase');
        assert.ok(c.failure[0].message && c.failure[0].type);
        sf++;
      }
    }
    assert.equal(Number(s.failures), sf);
    tests += cases.length;
    failures += sf;
  }
  assert.equal(Number(root.tests), tests);
  assert.equal(Number(root.failures), failures);
  return root;
}

