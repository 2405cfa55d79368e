import { test } from 'node:test';
import assert from 'node:assert/strict';
import { md5Hex, md5OfAttributes } from '../../src/sqs/md5.js';

// Vectors recorded against AWS (see docs/aws-sqs-behaviour.md §4).
test('MD5OfMessageBody is the hex MD5 of the UTF-8 body', () => {
  assert.equal(md5Hex('msg'), '6e2baaf3b97dbeef01c0043275f9a0e7');
  assert.equal(md5Hex('test'), '098f6bcd4621d373cade4e832627b4f6');
});

test('MD5OfMessageAttributes matches AWS for string attributes', () => {
  assert.equal(md5OfAttributes({ Foo: { DataType: 'String', StringValue: 'Bar' } }), 'ae7155c6026991b6d54b11589678bf9c');
  const three = {
    Hello: { DataType: 'String', StringValue: 'There' },
    General: { DataType: 'String', StringValue: 'Kenobi' },
    'Help.Me': { DataType: 'String', StringValue: 'Me' },
  };
  assert.equal(md5OfAttributes(three), '4c360f3fdafd970e05fae2f149d997f5');
  assert.equal(md5OfAttributes({ Hello: three.Hello }), 'a311262e065454b75da111d535b8dacd');
  assert.equal(md5OfAttributes({ Hello: three.Hello, General: three.General }), 'fca026605781cb4126a1e9044df24232');
});

test('MD5OfMessageAttributes matches AWS for binary and custom number types', () => {
  const trace = Buffer.concat([Buffer.from('traceparent'), Buffer.from([0x1e]), Buffer.from('00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01')]);
  assert.equal(md5OfAttributes({ attr1: { DataType: 'Binary', BinaryValue: trace.toString('base64') } }), '8cbe4db156db8a94db8b801b7addb984');
  assert.equal(
    md5OfAttributes({ customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' } }),
    '9fe1b90bbd9965bdf77bac517c7d2495',
  );
  assert.equal(
    md5OfAttributes({ binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!').toString('base64') } }),
    '31a92b15d92f8db860eda32aceb656c3',
  );
});

test('MD5OfMessageSystemAttributes uses the same encoding', () => {
  assert.equal(md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: 'some-trace-id' } }), 'fdce4f2818803f2f73becc09a54792c0');
});
