//! OrderService against the generated mocks of the services it calls: the
//! happy path, each failure's status code, what is not called after a
//! failure, and retries on UNAVAILABLE only.

use std::time::Duration;

use protoforge_examples::{
    orders::{CallPolicy, Dependencies, OrderServiceImpl, transport},
    proto::{
        common::v1::Error,
        inventory::v1::{
            CheckStockResponse, inventory_service_client::InventoryServiceClient,
            inventory_service_mock::MockInventoryService,
        },
        notification::v1::{
            SendNotificationResponse, notification_service_client::NotificationServiceClient,
            notification_service_mock::MockNotificationService,
        },
        order::v1::{
            CreateOrderRequest, OrderItem, OrderStatus, order_service_server::OrderService,
        },
        payment::v1::{
            ProcessPaymentResponse, payment_service_client::PaymentServiceClient,
            payment_service_mock::MockPaymentService,
        },
        user::v1::{
            GetUserResponse, User, user_service_client::UserServiceClient,
            user_service_mock::MockUserService,
        },
    },
};
use protoforge_runtime::InProcess;
use tonic::{Code, Request, Status};

struct Mocks {
    users: MockUserService,
    inventory: MockInventoryService,
    payments: MockPaymentService,
    notifications: MockNotificationService,
}

impl Mocks {
    /// Every dependency answering the happy path (each optional, so a test
    /// that stops early still verifies).
    fn happy() -> Mocks {
        let mocks = Mocks {
            users: MockUserService::new(),
            inventory: MockInventoryService::new(),
            payments: MockPaymentService::new(),
            notifications: MockNotificationService::new(),
        };
        mocks
            .users
            .get_user()
            .expect()
            .optional()
            .when(|req| req.user_id == 1)
            .returns(GetUserResponse {
                user: Some(User {
                    id: 1,
                    name: "Ada".into(),
                    ..User::default()
                }),
                success: true,
                ..GetUserResponse::default()
            });
        mocks
            .users
            .get_user()
            .expect()
            .optional()
            .fails(Status::not_found("no such user"));
        mocks
            .inventory
            .check_stock()
            .expect()
            .optional()
            .responds_with(|req| {
                Ok(CheckStockResponse {
                    product_id: req.product_id.clone(),
                    available: req.product_id != "sold-out",
                    in_stock: 10,
                    unit_price_cents: 250,
                    currency: "USD".into(),
                })
            });
        mocks
            .payments
            .process_payment()
            .expect()
            .optional()
            .returns(ProcessPaymentResponse {
                success: true,
                payment_id: "pay-1".into(),
                ..ProcessPaymentResponse::default()
            });
        mocks
            .notifications
            .send_notification()
            .expect()
            .optional()
            .returns(SendNotificationResponse::default());
        mocks
    }

    fn service(&self) -> OrderServiceImpl {
        let dependencies = Dependencies {
            users: UserServiceClient::new(transport(InProcess::new(self.users.server()))),
            inventory: InventoryServiceClient::new(transport(InProcess::new(
                self.inventory.server(),
            ))),
            payments: PaymentServiceClient::new(transport(InProcess::new(self.payments.server()))),
            notifications: NotificationServiceClient::new(transport(InProcess::new(
                self.notifications.server(),
            ))),
        };
        OrderServiceImpl::new(
            dependencies,
            CallPolicy {
                deadline: Duration::from_millis(500),
                first_backoff: Duration::from_millis(5),
                retries: 3,
            },
        )
    }
}

fn order(user_id: i32, products: &[(&str, i32)]) -> Request<CreateOrderRequest> {
    Request::new(CreateOrderRequest {
        user_id,
        items: products
            .iter()
            .map(|(id, quantity)| OrderItem {
                product_id: (*id).to_owned(),
                quantity: *quantity,
                unit_price_cents: 0,
            })
            .collect(),
        payment_method: "tok_visa".into(),
    })
}

#[tokio::test]
async fn places_an_order() {
    let mocks = Mocks::happy();
    let response = mocks
        .service()
        .create_order(order(1, &[("book", 2), ("pen", 1)]))
        .await
        .expect("placed")
        .into_inner();
    let placed = response.order.expect("order");
    assert_eq!(placed.status, OrderStatus::Paid as i32);
    assert_eq!(placed.total_cents, 750, "prices come from the inventory");
    assert_eq!(placed.payment_id, "pay-1");
    let charge = &mocks.payments.process_payment().calls()[0];
    assert_eq!(charge.request().amount_cents, 750);
    assert_eq!(
        charge.request().idempotency_key,
        format!("order-{}", placed.id)
    );
    assert!(
        charge.metadata.get("grpc-timeout").is_some(),
        "every call has a deadline"
    );
    assert_eq!(mocks.notifications.send_notification().call_count(), 1);
}

#[tokio::test]
async fn an_unknown_user_is_not_found_and_nothing_else_is_called() {
    let mocks = Mocks::happy();
    let status = mocks
        .service()
        .create_order(order(2, &[("book", 1)]))
        .await
        .expect_err("unknown user");
    assert_eq!(
        (status.code(), status.message()),
        (Code::NotFound, "User not found")
    );
    assert_eq!(mocks.inventory.check_stock().call_count(), 0);
    assert_eq!(mocks.payments.process_payment().call_count(), 0);
}

#[tokio::test]
async fn out_of_stock_is_a_failed_precondition_and_nothing_is_charged() {
    let mocks = Mocks::happy();
    let status = mocks
        .service()
        .create_order(order(1, &[("book", 1), ("sold-out", 1)]))
        .await
        .expect_err("out of stock");
    assert_eq!(
        (status.code(), status.message()),
        (Code::FailedPrecondition, "Some items are out of stock")
    );
    assert_eq!(mocks.payments.process_payment().call_count(), 0);
}

#[tokio::test]
async fn a_declined_payment_is_a_failed_precondition() {
    // A payment service that declines.
    let mocks = Mocks {
        payments: MockPaymentService::new(),
        ..Mocks::happy()
    };
    mocks
        .payments
        .process_payment()
        .returns(ProcessPaymentResponse {
            success: false,
            error: Some(Error {
                message: "insufficient funds".into(),
                ..Error::default()
            }),
            ..ProcessPaymentResponse::default()
        });
    let status = mocks
        .service()
        .create_order(order(1, &[("book", 1)]))
        .await
        .expect_err("declined");
    assert_eq!(
        (status.code(), status.message()),
        (
            Code::FailedPrecondition,
            "payment declined: insufficient funds"
        )
    );
    assert_eq!(mocks.notifications.send_notification().call_count(), 0);
}

#[tokio::test]
async fn unavailable_is_retried_with_backoff() {
    let mocks = Mocks::happy();
    let users = MockUserService::new();
    users
        .get_user()
        .expect()
        .times(2)
        .fails(Status::unavailable("restarting"))
        .then()
        .returns(GetUserResponse {
            success: true,
            ..GetUserResponse::default()
        });
    let mocks = Mocks { users, ..mocks };
    let placed = mocks
        .service()
        .create_order(order(1, &[("book", 1)]))
        .await
        .expect("placed after retries");
    assert!(placed.into_inner().success);
    assert_eq!(mocks.users.get_user().call_count(), 3);
    mocks.users.verify().expect("two failures, then the answer");
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let mocks = Mocks::happy();
    let users = MockUserService::new();
    users.get_user().fails(Status::internal("bug"));
    let mocks = Mocks { users, ..mocks };
    let status = mocks
        .service()
        .create_order(order(1, &[("book", 1)]))
        .await
        .expect_err("fails");
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(
        mocks.users.get_user().call_count(),
        1,
        "INTERNAL is not retried"
    );
}

#[tokio::test]
async fn retries_give_up_as_unavailable() {
    let mocks = Mocks::happy();
    let users = MockUserService::new();
    users.get_user().fails(Status::unavailable("down"));
    let mocks = Mocks { users, ..mocks };
    let status = mocks
        .service()
        .create_order(order(1, &[("book", 1)]))
        .await
        .expect_err("down");
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(
        mocks.users.get_user().call_count(),
        4,
        "the first attempt and 3 retries"
    );
}

#[tokio::test]
async fn a_failed_notification_does_not_fail_the_order() {
    let mocks = Mocks::happy();
    let notifications = MockNotificationService::new();
    notifications
        .send_notification()
        .fails(Status::internal("mail server on fire"));
    let mocks = Mocks {
        notifications,
        ..mocks
    };
    let placed = mocks
        .service()
        .create_order(order(1, &[("book", 1)]))
        .await
        .expect("placed");
    assert!(placed.into_inner().success);
}

#[tokio::test]
async fn an_empty_order_is_invalid() {
    let status = Mocks::happy()
        .service()
        .create_order(order(1, &[]))
        .await
        .expect_err("empty");
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = Mocks::happy()
        .service()
        .create_order(order(1, &[("book", 0)]))
        .await
        .expect_err("zero");
    assert_eq!(status.code(), Code::InvalidArgument);
}
