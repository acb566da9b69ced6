// JUnit XML, as vitest, node:test, pytest and most other runners write it, into test case results.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import type { TestCaseResult } from '../results.js';
import { annotate, type RawTestCase } from './mapping.js';

/** Thrown for XML that is not well-formed or not JUnit; the runner turns it into a phase failure. */
export class JunitParseError extends Error {}

const ATTR = '@_';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  // These may occur once or many times; always arrays keeps the walk simple.
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
});

const text = z.string().optional();
/** An element is an object, or '' when it is empty (`<skipped/>`). */
const outcomeSchema = z.union([z.looseObject({ '@_message': text, '#text': text }), z.string()]);
const caseSchema = z.looseObject({
  '@_name': text,
  '@_classname': text,
  '@_file': text,
  '@_time': text,
  failure: z.array(outcomeSchema).optional(),
  error: z.array(outcomeSchema).optional(),
  skipped: z.array(outcomeSchema).optional(),
});
type CaseNode = z.infer<typeof caseSchema>;
interface SuiteNode {
  '@_name'?: string | undefined;
  '@_file'?: string | undefined;
  testsuite?: SuiteNode[] | undefined;
  testcase?: unknown[] | undefined;
}
const suiteSchema: z.ZodType<SuiteNode> = z.lazy(() =>
  z.looseObject({
    '@_name': text,
    '@_file': text,
    testsuite: z.array(z.union([suiteSchema, z.string().transform(() => ({}))])).optional(),
    testcase: z.array(z.unknown()).optional(),
  }),
);

/** Longest message kept per case; full output stays in the JUnit artifact. */
const MESSAGE_CHARS = 2_000;

/**
 * Every `<testcase>` (a suite's own before those of its child suites) under `<testsuites>` or a root `<testsuite>`, at any suite depth. Cases that
 * sit directly under `<testsuites>` (node:test writes top-level tests so) count too. `blueprintId`
 * ties cases to the task (covers_task, criteria).
 */
export function parseJunit(xml: string, blueprintId = ''): TestCaseResult[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new JunitParseError(`not well-formed XML at line ${valid.err.line}: ${valid.err.msg}`);
  }
  const doc: unknown = parser.parse(xml);
  const root = z
    .looseObject({ testsuites: z.unknown().optional(), testsuite: z.unknown().optional() })
    .parse(doc);
  let top: SuiteNode;
  if (root.testsuites !== undefined) {
    top = parseNode(suiteSchema, root.testsuites === '' ? {} : root.testsuites, '<testsuites>');
  } else if (root.testsuite !== undefined) {
    top = { testsuite: parseNode(z.array(suiteSchema), root.testsuite, '<testsuite>') };
  } else {
    throw new JunitParseError('not JUnit XML: the root element is neither <testsuites> nor <testsuite>');
  }
  const cases: RawTestCase[] = [];
  walk(top, [], null, cases);
  return cases.map((c) => annotate(c, blueprintId));
}

function walk(suite: SuiteNode, path: string[], file: string | null, out: RawTestCase[]): void {
  for (const raw of suite.testcase ?? []) {
    out.push(toCase(parseNode(caseSchema, raw === '' ? {} : raw, '<testcase>'), path, file));
  }
  for (const child of suite.testsuite ?? []) {
    const name = child['@_name']?.trim();
    walk(child, name ? [...path, name] : path, child['@_file'] ?? file, out);
  }
}

function toCase(node: CaseNode, suitePath: string[], suiteFile: string | null): RawTestCase {
  const failure = node.failure?.[0];
  const error = node.error?.[0];
  const skipped = node.skipped?.[0];
  let status: RawTestCase['status'] = 'passed';
  let outcome: z.infer<typeof outcomeSchema> | undefined;
  if (error !== undefined) [status, outcome] = ['error', error];
  else if (failure !== undefined) [status, outcome] = ['failed', failure];
  else if (skipped !== undefined) [status, outcome] = ['skipped', skipped];
  const seconds = node['@_time'] === undefined ? NaN : Number(node['@_time']);
  return {
    name: node['@_name'] ?? '',
    classname: node['@_classname'] || null,
    file: node['@_file'] || suiteFile || null,
    suite: suitePath.length > 0 ? suitePath.join(' > ') : null,
    status,
    message: outcome === undefined ? null : messageOf(outcome),
    duration_ms: Number.isFinite(seconds) ? Math.round(seconds * 1000) : null,
  };
}

function messageOf(outcome: z.infer<typeof outcomeSchema>): string | null {
  if (typeof outcome === 'string') return outcome.trim() || null;
  const message = (outcome['@_message']?.trim() || outcome['#text']?.trim()) ?? '';
  if (!message) return null;
  return message.length > MESSAGE_CHARS ? `${message.slice(0, MESSAGE_CHARS)}…` : message;
}

function parseNode<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JunitParseError(
      `not JUnit XML: unexpected ${what} (${issue?.path.join('.') ?? ''} ${issue?.message ?? ''})`,
    );
  }
  return parsed.data;
}
