import { expect, test } from 'bun:test';
import { formatOsRelease, parseOsRelease } from './os-release';

test('parses quoted and unquoted fields, skipping comments', () => {
  const parsed = parseOsRelease('# comment\nNAME=Bottlerocket\nVERSION_ID=1.0.0\nPRETTY_NAME="Bottlerocket OS 1.0.0 (aws-dev)"\nVARIANT_ID=aws-dev\nBUILD_ID=\'abc\'\nbroken line\n');
  expect(parsed).toEqual({
    versionId: '1.0.0',
    variantId: 'aws-dev',
    buildId: 'abc',
    prettyName: 'Bottlerocket OS 1.0.0 (aws-dev)',
    fields: { NAME: 'Bottlerocket', VERSION_ID: '1.0.0', PRETTY_NAME: 'Bottlerocket OS 1.0.0 (aws-dev)', VARIANT_ID: 'aws-dev', BUILD_ID: 'abc' },
  });
});

test('format and parse round-trip', () => {
  const fields = { NAME: 'brkt', PRETTY_NAME: 'brkt sandbox 1.0.0 "dev"', VERSION_ID: '1.0.0' };
  expect(parseOsRelease(formatOsRelease(fields)).fields).toEqual(fields);
});
