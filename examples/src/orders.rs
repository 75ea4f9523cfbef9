//! `order.v1.OrderService`: places an order by calling the user, inventory,
//! payment and notification services as gRPC clients, as the article's
//! order service does.
//!
//! Each call has a deadline and is retried with exponential backoff (the
//! `backon` crate) when, and only when, it fails with `UNAVAILABLE`. The
//! clients take any transport: a `Channel` to another process, or a server
//! in the same process (tests use the generated mocks).

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use backon::{ExponentialBuilder, Retryable};
use tonic::{Code, Request, Response, Status, body::Body};
use tower::{BoxError, ServiceExt, util::BoxCloneSyncService};

use crate::proto::{
    common::v1::Timestamp,
    inventory::v1::{CheckStockRequest, inventory_service_client::InventoryServiceClient},
    notification::v1::{
        SendNotificationRequest, notification_service_client::NotificationServiceClient,
    },
    order::v1::{
        CreateOrderRequest, CreateOrderResponse, Order, OrderItem, OrderStatus,
        order_service_server::{OrderService, OrderServiceServer},
    },
    payment::v1::{ProcessPaymentRequest, payment_service_client::PaymentServiceClient},
    user::v1::{GetUserRequest, user_service_client::UserServiceClient},
};

/// Any gRPC transport, boxed: a `Channel`, or a server in process.
pub type Transport = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, TransportError>;

/// A transport's error. (A named type rather than a boxed trait object: the
/// async server trait cannot prove the boxed one's lifetime bounds.)
#[derive(Debug)]
pub struct TransportError(BoxError);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Boxes a transport (`Channel`, `InProcess<FooServer<..>>`, ...).
pub fn transport<S>(service: S) -> Transport
where
    S: tower::Service<http::Request<Body>, Response = http::Response<Body>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    BoxCloneSyncService::new(service.map_err(|err| TransportError(err.into())))
}

/// How the order service calls the others.
#[derive(Clone, Copy, Debug)]
pub struct CallPolicy {
    /// Deadline of each call.
    pub deadline: Duration,
    /// First retry delay; doubled each time.
    pub first_backoff: Duration,
    /// Retries after the first attempt.
    pub retries: usize,
}

impl Default for CallPolicy {
    fn default() -> Self {
        CallPolicy {
            deadline: Duration::from_secs(2),
            first_backoff: Duration::from_millis(50),
            retries: 3,
        }
    }
}

/// The services an order needs.
#[derive(Clone, Debug)]
pub struct Dependencies {
    /// Validates the customer.
    pub users: UserServiceClient<Transport>,
    /// Checks stock and prices.
    pub inventory: InventoryServiceClient<Transport>,
    /// Charges the customer.
    pub payments: PaymentServiceClient<Transport>,
    /// Tells the customer.
    pub notifications: NotificationServiceClient<Transport>,
}

/// The implementation of `order.v1.OrderService`.
#[derive(Debug)]
pub struct OrderServiceImpl {
    dependencies: Dependencies,
    policy: CallPolicy,
    next_id: AtomicI64,
    activity: Option<crate::notifications::ActivityBus>,
}

impl OrderServiceImpl {
    /// An order service calling `dependencies` under `policy`.
    pub fn new(dependencies: Dependencies, policy: CallPolicy) -> Self {
        OrderServiceImpl {
            dependencies,
            policy,
            next_id: AtomicI64::new(1),
            activity: None,
        }
    }

    /// Publishes placed orders to `activity` (for `StreamUserActivity`).
    pub fn with_activity(mut self, activity: crate::notifications::ActivityBus) -> Self {
        self.activity = Some(activity);
        self
    }

    /// The tonic server of this service.
    pub fn into_server(self) -> OrderServiceServer<Self> {
        OrderServiceServer::new(self)
    }

    /// Makes one call under the policy: a deadline per attempt, retries with
    /// exponential backoff on UNAVAILABLE only.
    async fn call<T, F, Fut>(&self, attempt: F) -> Result<T, Status>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Response<T>, Status>>,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.policy.first_backoff)
            .with_factor(2.0)
            .with_max_times(self.policy.retries)
            .with_jitter();
        attempt
            .retry(backoff)
            .when(|status: &Status| status.code() == Code::Unavailable)
            .await
            .map(Response::into_inner)
    }

    fn request<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        request.set_timeout(self.policy.deadline);
        request
    }
}

#[tonic::async_trait]
impl OrderService for OrderServiceImpl {
    async fn create_order(
        &self,
        request: Request<CreateOrderRequest>,
    ) -> Result<Response<CreateOrderResponse>, Status> {
        let order = request.into_inner();
        if order.items.is_empty() {
            return Err(Status::invalid_argument("an order needs at least one item"));
        }
        if let Some(item) = order
            .items
            .iter()
            .find(|i| i.quantity < 1 || i.product_id.is_empty())
        {
            return Err(Status::invalid_argument(format!(
                "item '{}' needs a product id and a quantity of at least 1",
                item.product_id
            )));
        }
        let deps = &self.dependencies;

        // 1. The customer exists.
        let user = self
            .call(|| {
                let mut users = deps.users.clone();
                let request = self.request(GetUserRequest {
                    user_id: order.user_id,
                });
                async move { users.get_user(request).await }
            })
            .await
            .map_err(|status| match status.code() {
                Code::NotFound => Status::not_found("User not found"),
                _ => upstream("user service", status),
            })?;
        if !user.success {
            return Err(Status::not_found("User not found"));
        }

        // 2. Every item is in stock; prices come from the inventory.
        let mut items = Vec::with_capacity(order.items.len());
        for item in &order.items {
            let stock = self
                .call(|| {
                    let mut inventory = deps.inventory.clone();
                    let request = self.request(CheckStockRequest {
                        product_id: item.product_id.clone(),
                        quantity: item.quantity,
                    });
                    async move { inventory.check_stock(request).await }
                })
                .await
                .map_err(|status| match status.code() {
                    Code::NotFound => {
                        Status::not_found(format!("product '{}' not found", item.product_id))
                    }
                    _ => upstream("inventory service", status),
                })?;
            if !stock.available {
                return Err(Status::failed_precondition("Some items are out of stock"));
            }
            items.push(OrderItem {
                unit_price_cents: stock.unit_price_cents,
                ..item.clone()
            });
        }
        let total: i64 = items
            .iter()
            .map(|i| i.unit_price_cents * i64::from(i.quantity))
            .sum();

        // 3. Charge once: the idempotency key makes a retried charge safe.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let payment = self
            .call(|| {
                let mut payments = deps.payments.clone();
                let request = self.request(ProcessPaymentRequest {
                    user_id: order.user_id,
                    amount_cents: total,
                    currency: "USD".to_owned(),
                    payment_method: order.payment_method.clone(),
                    idempotency_key: format!("order-{id}"),
                });
                async move { payments.process_payment(request).await }
            })
            .await
            .map_err(|status| upstream("payment service", status))?;
        if !payment.success {
            let reason = payment.error.map(|e| e.message).unwrap_or_default();
            return Err(Status::failed_precondition(format!(
                "payment declined: {reason}"
            )));
        }

        // 4. Tell the customer; the order stands even if this fails.
        let _ = self
            .call(|| {
                let mut notifications = deps.notifications.clone();
                let request = self.request(SendNotificationRequest {
                    user_id: order.user_id,
                    title: "Order placed".to_owned(),
                    message: format!("Order {id} is paid: {total} cents"),
                });
                async move { notifications.send_notification(request).await }
            })
            .await;

        if let Some(activity) = &self.activity {
            activity.publish(
                order.user_id,
                crate::proto::notification::v1::ActivityType::OrderPlaced,
                format!("placed order {id}"),
                std::collections::HashMap::from([
                    ("order_id".to_owned(), id.to_string()),
                    ("total_cents".to_owned(), total.to_string()),
                ]),
            );
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Ok(Response::new(CreateOrderResponse {
            order: Some(Order {
                id,
                user_id: order.user_id,
                items,
                status: OrderStatus::Paid as i32,
                total_cents: total,
                currency: "USD".to_owned(),
                payment_id: payment.payment_id,
                created_at: Some(Timestamp {
                    seconds: now.as_secs() as i64,
                    nanos: now.subsec_nanos() as i32,
                }),
            }),
            success: true,
            error_message: String::new(),
        }))
    }
}

/// A dependency failed in a way the caller cannot fix: UNAVAILABLE stays
/// UNAVAILABLE (the client may retry), the rest is INTERNAL.
fn upstream(service: &str, status: Status) -> Status {
    match status.code() {
        Code::Unavailable | Code::DeadlineExceeded => {
            Status::unavailable(format!("{service}: {}", status.message()))
        }
        _ => Status::internal(format!("{service}: {}", status.message())),
    }
}
