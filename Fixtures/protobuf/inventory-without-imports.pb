
Œ
inventory.protoinventory.v1google/protobuf/timestamp.protogoogle/rpc/error_details.proto"9
StockProblem)
info (2.google.rpc.ErrorInfoRinfo" 
StockRequest
sku (	Rsku"’
Stock
sku (	Rsku
	available (R	available9

updated_at (2.google.protobuf.TimestampR	updatedAt

warehouses (	R
warehouses"5
StockChange
sku (	Rsku
delta (Rdelta"<
RestockSummary
items (Ritems
units (Runits";
Reservation
sku (	Rsku
quantity (Rquantity"[
ReservationResult
sku (	Rsku
	confirmed (R	confirmed
reason (	Rreason2 
	Inventory;
GetStock.inventory.v1.StockRequest.inventory.v1.StockE

WatchStock.inventory.v1.StockRequest.inventory.v1.StockChange0D
Restock.inventory.v1.StockChange.inventory.v1.RestockSummary(I
Reserve.inventory.v1.Reservation.inventory.v1.ReservationResult(0bproto3