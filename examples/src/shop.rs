//! `inventory.v1.InventoryService` and `payment.v1.PaymentService`: the two
//! services the order service calls, kept small: an in-memory catalogue, and
//! a payment processor with idempotency keys and a test card that declines.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{SystemTime, UNIX_EPOCH},
};

use tonic::{Request, Response, Status};

use crate::proto::{
    common::v1::{Error, Timestamp},
    inventory::v1::{
        CheckStockRequest, CheckStockResponse,
        inventory_service_server::{InventoryService, InventoryServiceServer},
    },
    payment::v1::{
        ProcessPaymentRequest, ProcessPaymentResponse,
        payment_service_server::{PaymentService, PaymentServiceServer},
    },
};

/// A product in the catalogue: units in stock and unit price in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stock {
    /// Units in stock.
    pub units: i32,
    /// Price of one unit, in US cents.
    pub price_cents: i64,
}

/// The implementation of `inventory.v1.InventoryService` over a catalogue.
#[derive(Debug, Clone)]
pub struct InventoryServiceImpl {
    catalogue: Arc<HashMap<String, Stock>>,
}

impl InventoryServiceImpl {
    /// A service over `catalogue`.
    pub fn new(catalogue: HashMap<String, Stock>) -> Self {
        InventoryServiceImpl {
            catalogue: Arc::new(catalogue),
        }
    }

    /// A small demo catalogue: a book, a pen, and something sold out.
    pub fn demo() -> Self {
        Self::new(HashMap::from([
            (
                "book".to_owned(),
                Stock {
                    units: 10,
                    price_cents: 1299,
                },
            ),
            (
                "pen".to_owned(),
                Stock {
                    units: 100,
                    price_cents: 199,
                },
            ),
            (
                "sold-out".to_owned(),
                Stock {
                    units: 0,
                    price_cents: 999,
                },
            ),
        ]))
    }

    /// The tonic server of this service.
    pub fn into_server(self) -> InventoryServiceServer<Self> {
        InventoryServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl InventoryService for InventoryServiceImpl {
    async fn check_stock(
        &self,
        request: Request<CheckStockRequest>,
    ) -> Result<Response<CheckStockResponse>, Status> {
        let request = request.into_inner();
        if request.quantity < 1 {
            return Err(Status::invalid_argument("quantity must be at least 1"));
        }
        let stock = self.catalogue.get(&request.product_id).ok_or_else(|| {
            Status::not_found(format!("product '{}' not found", request.product_id))
        })?;
        Ok(Response::new(CheckStockResponse {
            available: stock.units >= request.quantity,
            in_stock: stock.units,
            unit_price_cents: stock.price_cents,
            currency: "USD".to_owned(),
            product_id: request.product_id,
        }))
    }
}

/// The payment method that always declines, for trying failures.
pub const DECLINED_CARD: &str = "tok_declined";

/// The implementation of `payment.v1.PaymentService`: charges succeed but
/// for [`DECLINED_CARD`]; a repeated idempotency key returns the first
/// charge instead of charging twice.
#[derive(Debug, Clone, Default)]
pub struct PaymentServiceImpl {
    charges: Arc<Mutex<HashMap<String, ProcessPaymentResponse>>>,
}

impl PaymentServiceImpl {
    /// A processor with no charges yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tonic server of this service.
    pub fn into_server(self) -> PaymentServiceServer<Self> {
        PaymentServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl PaymentService for PaymentServiceImpl {
    async fn process_payment(
        &self,
        request: Request<ProcessPaymentRequest>,
    ) -> Result<Response<ProcessPaymentResponse>, Status> {
        let request = request.into_inner();
        if request.amount_cents <= 0 {
            return Err(Status::invalid_argument("amount_cents must be positive"));
        }
        if request.currency.len() != 3 || !request.currency.chars().all(|c| c.is_ascii_uppercase())
        {
            return Err(Status::invalid_argument(
                "currency must be an ISO 4217 code such as USD",
            ));
        }
        if request.payment_method.is_empty() {
            return Err(Status::invalid_argument("payment_method is required"));
        }
        let mut charges = self
            .charges
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !request.idempotency_key.is_empty()
            && let Some(previous) = charges.get(&request.idempotency_key)
        {
            return Ok(Response::new(previous.clone()));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let processed_at = Some(Timestamp {
            seconds: now.as_secs() as i64,
            nanos: now.subsec_nanos() as i32,
        });
        let response = if request.payment_method == DECLINED_CARD {
            ProcessPaymentResponse {
                success: false,
                error: Some(Error {
                    code: "CARD_DECLINED".to_owned(),
                    message: "the card was declined".to_owned(),
                    ..Error::default()
                }),
                processed_at,
                ..ProcessPaymentResponse::default()
            }
        } else {
            ProcessPaymentResponse {
                success: true,
                payment_id: format!("pay-{}", charges.len() + 1),
                processed_at,
                ..ProcessPaymentResponse::default()
            }
        };
        if !request.idempotency_key.is_empty() {
            charges.insert(request.idempotency_key, response.clone());
        }
        Ok(Response::new(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stock_and_payments() {
        let inventory = InventoryServiceImpl::demo();
        let check = |product: &str, quantity| CheckStockRequest {
            product_id: product.into(),
            quantity,
        };
        let book = inventory
            .check_stock(Request::new(check("book", 2)))
            .await
            .expect("found")
            .into_inner();
        assert!(book.available && book.unit_price_cents == 1299);
        let too_many = inventory
            .check_stock(Request::new(check("book", 11)))
            .await
            .expect("found")
            .into_inner();
        assert!(!too_many.available);
        let missing = inventory
            .check_stock(Request::new(check("car", 1)))
            .await
            .expect_err("unknown");
        assert_eq!(missing.code(), tonic::Code::NotFound);

        let payments = PaymentServiceImpl::new();
        let charge = |method: &str, key: &str| ProcessPaymentRequest {
            user_id: 1,
            amount_cents: 500,
            currency: "USD".into(),
            payment_method: method.into(),
            idempotency_key: key.into(),
        };
        let first = payments
            .process_payment(Request::new(charge("tok_visa", "k1")))
            .await
            .expect("ok")
            .into_inner();
        let again = payments
            .process_payment(Request::new(charge("tok_visa", "k1")))
            .await
            .expect("ok")
            .into_inner();
        assert_eq!(first.payment_id, again.payment_id, "charged once per key");
        let declined = payments
            .process_payment(Request::new(charge(DECLINED_CARD, "k2")))
            .await
            .expect("ok")
            .into_inner();
        assert!(!declined.success);
        assert_eq!(declined.error.expect("reason").code, "CARD_DECLINED");
    }
}
