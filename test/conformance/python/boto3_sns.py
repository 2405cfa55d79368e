#!/usr/bin/env python3
"""SNS conformance checks for Postbox, driven by boto3 (a second client, independent of the AWS SDK for JavaScript).

Usage: python3 boto3_sns.py <endpoint>

SNS speaks the AWS Query protocol in every botocore. Prints one "ok"/"not ok" line per check and "ALL OK <n>" at
the end; exits 0 only if every check passed, 1 if any failed, 2 on bad usage and 3 if boto3 cannot be imported.
"""
import json
import os
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
NS = f"pysns-{os.getpid()}-{int(time.time() * 1000) % 100000000}"
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def client(service):
    return boto3.session.Session().client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=CONFIG,
    )


sns = client("sns")
sqs = client("sqs")
print(f"# boto3 {boto3.__version__}, botocore {botocore.__version__}, SNS protocol {sns.meta.service_model.protocol}")


def expect_error(call, code, status):
    try:
        call()
    except ClientError as e:
        err = e.response["Error"]
        meta = e.response["ResponseMetadata"]
        assert err["Code"] == code, f"code {err['Code']!r} != {code!r}: {e.response}"
        assert meta["HTTPStatusCode"] == status, f"status {meta['HTTPStatusCode']} != {status}: {e.response}"
        assert meta.get("RequestId"), f"no RequestId in {meta}"
        return e
    raise AssertionError(f"expected {code} but the call succeeded")


def queue_subscribed(topic_arn, name, **attributes):
    """A new SQS queue subscribed to the topic; returns (queue url, subscription arn)."""
    url = sqs.create_queue(QueueName=f"{NS}-{name}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes, ReturnSubscriptionArn=True)
    return url, sub["SubscriptionArn"]


def drain(url, expected):
    """Receives until `expected` messages arrived (long polls, so nothing waits on a fixed sleep)."""
    got = []
    deadline = time.time() + 10
    while len(got) < expected and time.time() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"])
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def topics_are_created_once_listed_tagged_and_described():
    name = f"{NS}-topic"
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "py topic"}, Tags=[{"Key": "team", "Value": "py"}])["TopicArn"]
    assert arn == f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}", arn
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "py topic"})["TopicArn"] == arn, "CreateTopic is idempotent"
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["TopicArn"] == arn and attrs["DisplayName"] == "py topic", attrs
    assert attrs["Owner"] == ACCOUNT and attrs["SubscriptionsConfirmed"] == "0", attrs
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="renamed")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "renamed"
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "py"}]
    listed = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    assert arn in listed, listed


@check
def a_publish_reaches_a_queue_as_the_notification_envelope():
    arn = sns.create_topic(Name=f"{NS}-envelope")["TopicArn"]
    url, sub_arn = queue_subscribed(arn, "envelope")
    assert sub_arn.startswith(f"{arn}:"), sub_arn
    published = sns.publish(
        TopicArn=arn,
        Message="hello from boto3",
        Subject="greeting",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
    )
    [m] = drain(url, 1)
    envelope = json.loads(m["Body"])
    assert envelope["Type"] == "Notification", envelope
    assert envelope["MessageId"] == published["MessageId"], envelope
    assert envelope["TopicArn"] == arn and envelope["Subject"] == "greeting", envelope
    assert envelope["Message"] == "hello from boto3", envelope
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "test"}}, envelope
    assert envelope["SignatureVersion"] == "1" and envelope["Signature"], envelope
    assert envelope["UnsubscribeURL"].startswith(ENDPOINT), envelope


@check
def raw_delivery_and_filter_policies_apply():
    arn = sns.create_topic(Name=f"{NS}-filtered")["TopicArn"]
    url, sub_arn = queue_subscribed(arn, "filtered", RawMessageDelivery="true", FilterPolicy=json.dumps({"color": ["red"]}))
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["RawMessageDelivery"] == "true" and json.loads(attrs["FilterPolicy"]) == {"color": ["red"]}, attrs
    for color in ("blue", "red"):
        sns.publish(TopicArn=arn, Message=f"a {color} one", MessageAttributes={"color": {"DataType": "String", "StringValue": color}})
    got = drain(url, 1)
    assert [m["Body"] for m in got] == ["a red one"], got
    assert got[0]["MessageAttributes"]["color"]["StringValue"] == "red", got[0]
    assert drain(url, 1) == [], "the blue one was filtered out"


@check
def publish_batch_and_fifo_topics():
    arn = sns.create_topic(Name=f"{NS}-batch")["TopicArn"]
    r = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[{"Id": "a", "Message": "1"}, {"Id": "b", "Message": "2"}])
    assert sorted(e["Id"] for e in r["Successful"]) == ["a", "b"] and not r.get("Failed"), r
    fifo = sns.create_topic(Name=f"{NS}-orders.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    first = sns.publish(TopicArn=fifo, Message="order 1", MessageGroupId="g")
    again = sns.publish(TopicArn=fifo, Message="order 1", MessageGroupId="g")
    assert first["SequenceNumber"] and again["MessageId"] == first["MessageId"], (first, again)
    expect_error(lambda: sns.publish(TopicArn=fifo, Message="no group"), "InvalidParameter", 400)


@check
def subscriptions_are_listed_and_removed():
    arn = sns.create_topic(Name=f"{NS}-subs")["TopicArn"]
    _, sub_arn = queue_subscribed(arn, "subs")
    by_topic = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in by_topic] == [sub_arn], by_topic
    assert by_topic[0]["Protocol"] == "sqs" and by_topic[0]["Owner"] == ACCOUNT, by_topic
    sns.unsubscribe(SubscriptionArn=sub_arn)
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []


@check
def errors_carry_the_query_error_codes():
    missing = f"arn:aws:sns:{REGION}:{ACCOUNT}:{NS}-missing"
    expect_error(lambda: sns.get_topic_attributes(TopicArn=missing), "NotFound", 404)
    expect_error(lambda: sns.publish(TopicArn=missing, Message="x"), "NotFound", 404)
    expect_error(lambda: sns.create_topic(Name="not a valid name!"), "InvalidParameter", 400)
    arn = sns.create_topic(Name=f"{NS}-gone")["TopicArn"]
    sns.delete_topic(TopicArn=arn)
    expect_error(lambda: sns.get_topic_attributes(TopicArn=arn), "NotFound", 404)


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
