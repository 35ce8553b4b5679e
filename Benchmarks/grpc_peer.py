"""A grpcio (Python) server answering inventory.v1.Inventory/GetStock like the example contract:
the peer for the gRPC benchmark. Usage: grpc_peer.py PORT"""
import sys
import time
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

files = descriptor_pb2.FileDescriptorSet.FromString(open("Contracts/protos/inventory.pb", "rb").read())
pool = descriptor_pool.DescriptorPool()
for file in files.file:
    pool.Add(file)
Request = message_factory.GetMessageClass(pool.FindMessageTypeByName("inventory.v1.StockRequest"))
Stock = message_factory.GetMessageClass(pool.FindMessageTypeByName("inventory.v1.Stock"))


def get_stock(request, context):
    context.send_initial_metadata([("x-served-by", "inventory")])
    stock = Stock(sku=request.sku, available=12, warehouses=["berlin"])
    stock.updated_at.FromJsonString("2026-11-20T09:30:00Z")
    return stock


handler = grpc.method_handlers_generic_handler("inventory.v1.Inventory", {
    "GetStock": grpc.unary_unary_rpc_method_handler(get_stock, request_deserializer=Request.FromString,
                                                    response_serializer=Stock.SerializeToString),
})
server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
server.add_generic_rpc_handlers((handler,))
server.add_insecure_port(f"127.0.0.1:{sys.argv[1]}")
server.start()
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    server.stop(None)
