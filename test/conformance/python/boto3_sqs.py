#!/usr/bin/env python3
"""Query-protocol conformance checks for Postbox, driven by boto3.

Usage: python3 boto3_sqs.py <endpoint>

Needs a boto3/botocore whose SQS model still uses the AWS Query protocol (botocore < 1.31.81), such as Debian's
python3-boto3. Prints one "ok"/"not ok" line per check and "ALL OK <n>" at the end; exits 0 only if every check
passed, 1 if any failed, 2 on bad usage and 3 if this botocore speaks another protocol to SQS.
"""
import hashlib
import os
import struct
import sys
import time
import traceback

try:
    import boto3
    import botocore
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError as exc:  # pragma: no cover - reported by the calling test
    print(f"boto3 is not importable: {exc}", file=sys.stderr)
    sys.exit(3)

if len(sys.argv) != 2:
    print(__doc__, file=sys.stderr)
    sys.exit(2)

ENDPOINT = sys.argv[1].rstrip("/")
REGION = "us-east-1"
ACCOUNT = "000000000000"
NS = f"py-{os.getpid()}-{int(time.time() * 1000) % 100000000}"
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def client(service="sqs", key="test"):
    return boto3.session.Session().client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key="test",
        config=CONFIG,
    )


sqs = client()
protocol = sqs.meta.service_model.protocol
print(f"# boto3 {boto3.__version__}, botocore {botocore.__version__}, SQS protocol {protocol}")
if protocol != "query":
    print(f"botocore {botocore.__version__} speaks {protocol!r} to SQS, not 'query'", file=sys.stderr)
    sys.exit(3)


def md5(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.md5(data).hexdigest()


def md5_of_attributes(attributes):
    """MD5OfMessageAttributes as AWS computes it (docs/aws-sqs-behaviour.md section 4)."""
    out = b""

    def lp(b):
        return struct.pack(">I", len(b)) + b

    for name in sorted(attributes):
        a = attributes[name]
        out += lp(name.encode()) + lp(a["DataType"].encode())
        if "BinaryValue" in a:
            out += b"\x02" + lp(a["BinaryValue"])
        else:
            out += b"\x01" + lp(a["StringValue"].encode())
    return hashlib.md5(out).hexdigest()


def expect_error(call, code, status, message=None):
    try:
        call()
    except ClientError as e:
        err = e.response["Error"]
        meta = e.response["ResponseMetadata"]
        assert err["Code"] == code, f"code {err['Code']!r} != {code!r}: {e.response}"
        assert meta["HTTPStatusCode"] == status, f"status {meta['HTTPStatusCode']} != {status}: {e.response}"
        if message is not None:
            assert err.get("Message") == message, f"message {err.get('Message')!r} != {message!r}"
        assert meta.get("RequestId"), f"no RequestId in {meta}"
        return e
    raise AssertionError(f"expected {code} but the call succeeded")


def create(name, **kwargs):
    return sqs.create_queue(QueueName=name, **kwargs)["QueueUrl"]


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def create_queue_with_attributes_and_tags():
    name = f"{NS}-attrs"
    url = create(name, Attributes={"VisibilityTimeout": "45", "DelaySeconds": "0"}, tags={"team": "py"})
    assert url.endswith(f"/{ACCOUNT}/{name}"), url
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "45", attrs
    assert attrs["QueueArn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}", attrs
    assert attrs["ApproximateNumberOfMessages"] == "0", attrs
    assert "FifoQueue" not in attrs, attrs
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
    only = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert only == {"VisibilityTimeout": "60"}, only
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "py"}
    sqs.tag_queue(QueueUrl=url, Tags={"more": "tags"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"more": "tags"}


@check
def create_queue_is_idempotent_and_detects_conflicts():
    name = f"{NS}-idem"
    url = create(name, Attributes={"DelaySeconds": "1"})
    assert create(name, Attributes={"DelaySeconds": "1"}) == url
    assert create(name) == url
    e = expect_error(
        lambda: create(name, Attributes={"DelaySeconds": "2"}),
        "QueueAlreadyExists",
        400,
        "A queue already exists with the same name and a different value for attribute DelaySeconds",
    )
    assert isinstance(e, sqs.exceptions.QueueNameExists), type(e)


@check
def send_and_receive_with_message_attributes():
    url = create(f"{NS}-send")
    body = "hello <boto3> & ünïcødé"
    attributes = {
        "s": {"DataType": "String", "StringValue": "text"},
        "n": {"DataType": "Number", "StringValue": "42.5"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    }
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody=body,
        MessageAttributes=attributes,
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "some-trace-id"}},
    )
    assert sent["MD5OfMessageBody"] == md5(body), sent
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(attributes), sent
    assert sent["MD5OfMessageSystemAttributes"] == "fdce4f2818803f2f73becc09a54792c0", sent
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"], MaxNumberOfMessages=10)
    messages = got["Messages"]
    assert len(messages) == 1, got
    m = messages[0]
    assert m["MessageId"] == sent["MessageId"], m
    assert m["Body"] == body, m
    assert m["MD5OfBody"] == md5(body), m
    assert m["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"], m
    assert m["MessageAttributes"]["b"]["BinaryValue"] == b"\x00\x01\xfe\xff", m
    assert m["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "42.5"}, m
    assert m["MessageAttributes"]["s"] == {"DataType": "String", "StringValue": "text"}, m
    assert m["Attributes"]["AWSTraceHeader"] == "some-trace-id", m
    assert m["Attributes"]["ApproximateReceiveCount"] == "1", m
    assert len(m["Attributes"]["SentTimestamp"]) == 13, m  # epoch milliseconds
    # Filters: a prefix pattern and an exact name.
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["s"])["Messages"][0]
    assert list(again["MessageAttributes"]) == ["s"], again
    assert again["MD5OfMessageAttributes"] == md5_of_attributes({"s": attributes["s"]}), again
    assert "Attributes" not in again, again
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert not sqs.receive_message(QueueUrl=url).get("Messages")


@check
def batches():
    url = create(f"{NS}-batch")
    out = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "one"},
            {"Id": "b", "MessageBody": "two", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
            {"Id": "bad", "MessageBody": "x", "MessageDeduplicationId": "not-on-a-standard-queue"},
        ],
    )
    assert sorted(e["Id"] for e in out["Successful"]) == ["a", "b"], out
    assert len(out["Failed"]) == 1, out
    failed = out["Failed"][0]
    assert failed["Id"] == "bad" and failed["SenderFault"] is True and failed["Code"] == "InvalidParameterValue", failed
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["one", "two"], got
    cmv = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[{"Id": f"c{i}", "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(got)],
    )
    assert len(cmv["Successful"]) == 2 and not cmv.get("Failed"), cmv
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        + [{"Id": "junk", "ReceiptHandle": "dummy"}],
    )
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["d0", "d1"], deleted
    assert [(f["Id"], f["Code"]) for f in deleted["Failed"]] == [("junk", "ReceiptHandleIsInvalid")], deleted
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"] == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}, attrs


@check
def list_queues_with_prefix_and_paging():
    prefix = f"{NS}-list"
    urls = sorted(create(f"{prefix}-{i}") for i in range(3))
    assert sorted(sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]) == urls
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = sqs.list_queues(**kwargs)
        seen += page.get("QueueUrls", [])
        token = page.get("NextToken")
        pages += 1
        if not token or pages > 5:
            break
    assert pages == 2 and sorted(seen) == urls, (pages, seen)
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=f"{NS}-nothing")


@check
def fifo_queue():
    url = create(f"{NS}-fifo.fifo", Attributes={"FifoQueue": "true"})
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["FifoQueue"] == "true" and attrs["ContentBasedDeduplication"] == "false", attrs
    first = sqs.send_message(QueueUrl=url, MessageBody="f1", MessageGroupId="g", MessageDeduplicationId="d1")
    second = sqs.send_message(QueueUrl=url, MessageBody="f2", MessageGroupId="g", MessageDeduplicationId="d2")
    dup = sqs.send_message(QueueUrl=url, MessageBody="f1 again", MessageGroupId="g", MessageDeduplicationId="d1")
    assert dup["MessageId"] == first["MessageId"], (first, dup)
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"]), (first, second)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in got] == ["f1", "f2"], got
    assert got[0]["Attributes"]["MessageGroupId"] == "g", got[0]
    assert got[0]["Attributes"]["MessageDeduplicationId"] == "d1", got[0]
    assert got[0]["Attributes"]["SequenceNumber"] == first["SequenceNumber"], got[0]
    expect_error(
        lambda: sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d3"),
        "MissingParameter",
        400,
        "The request must contain the parameter MessageGroupId.",
    )
    expect_error(
        lambda: sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g"),
        "InvalidParameterValue",
        400,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    )


@check
def error_codes():
    missing = f"{NS}-missing"
    e = expect_error(
        lambda: sqs.get_queue_url(QueueName=missing),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        "The specified queue does not exist for this wsdl version.",
    )
    assert isinstance(e, sqs.exceptions.QueueDoesNotExist), type(e)
    assert e.response["Error"]["Type"] == "Sender", e.response
    ghost = f"{ENDPOINT}/{ACCOUNT}/{missing}"
    expect_error(lambda: sqs.send_message(QueueUrl=ghost, MessageBody="x"), "AWS.SimpleQueueService.NonExistentQueue", 400)
    expect_error(lambda: sqs.receive_message(QueueUrl=ghost), "AWS.SimpleQueueService.NonExistentQueue", 400)
    url = create(f"{NS}-errors")
    expect_error(
        lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="dummy"),
        "ReceiptHandleIsInvalid",
        404,
        'The input receipt handle "dummy" is not a valid receipt handle.',
    )
    expect_error(
        lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Bogus"]),
        "InvalidAttributeName",
        400,
        "Unknown Attribute Bogus.",
    )
    expect_error(lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11), "InvalidParameterValue", 400)


@check
def purge_and_delete_queue():
    name = f"{NS}-purge"
    url = create(name)
    sqs.send_message(QueueUrl=url, MessageBody="doomed")
    sqs.purge_queue(QueueUrl=url)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attrs == {"ApproximateNumberOfMessages": "0"}, attrs
    sqs.delete_queue(QueueUrl=url)
    expect_error(lambda: sqs.get_queue_url(QueueName=name), "AWS.SimpleQueueService.NonExistentQueue", 400)


@check
def resource_api():
    resource = boto3.session.Session().resource(
        "sqs", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test", config=CONFIG
    )
    queue = resource.create_queue(QueueName=f"{NS}-resource")
    assert queue.attributes["VisibilityTimeout"] == "30", queue.attributes
    queue.send_message(MessageBody="via resource")
    messages = queue.receive_messages(MaxNumberOfMessages=10)
    assert [m.body for m in messages] == ["via resource"], messages
    messages[0].delete()
    same = resource.get_queue_by_name(QueueName=f"{NS}-resource")
    assert same.url == queue.url


@check
def sts_and_accounts():
    assert client("sts").get_caller_identity()["Account"] == ACCOUNT
    other = client("sts", key="111122223333").get_caller_identity()
    assert other["Account"] == "111122223333" and other["Arn"] == "arn:aws:iam::111122223333:root", other
    theirs = client("sqs", key="111122223333")
    url = theirs.create_queue(QueueName=f"{NS}-acct")["QueueUrl"]
    assert url.endswith(f"/111122223333/{NS}-acct"), url
    arn = theirs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn == f"arn:aws:sqs:{REGION}:111122223333:{NS}-acct", arn


def main():
    failures = 0
    for fn in CHECKS:
        try:
            fn()
            print(f"ok - {fn.__name__}")
        except Exception:  # noqa: BLE001 - report every failing check
            failures += 1
            print(f"not ok - {fn.__name__}")
            for line in traceback.format_exc().rstrip().splitlines():
                print(f"#   {line}")
    if failures:
        print(f"FAILED {failures} of {len(CHECKS)}")
        return 1
    print(f"ALL OK {len(CHECKS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
