-- Sample "Sales" database for the demo and tests, in PostgreSQL's dialect: the TDS test server runs it once,
-- with search_path set to the database's dbo schema. Mixed-case quoted names keep SQL Server's spelling;
-- T-SQL clients reach them case-insensitively. Data is generated deterministically (no random()).

CREATE TABLE "Regions" (
  "RegionID" int PRIMARY KEY,
  "Name" text NOT NULL UNIQUE
);

CREATE TABLE "Departments" (
  "DepartmentID" int PRIMARY KEY,
  "Name" text NOT NULL,
  "RegionID" int NOT NULL REFERENCES "Regions" ("RegionID")
);

CREATE TABLE "Employees" (
  "EmployeeID" int PRIMARY KEY,
  "FirstName" text NOT NULL,
  "LastName" text NOT NULL,
  "Email" varchar(200) NOT NULL UNIQUE,
  "DepartmentID" int NOT NULL REFERENCES "Departments" ("DepartmentID"),
  "ManagerID" int REFERENCES "Employees" ("EmployeeID"),
  "HireDate" date NOT NULL,
  "Salary" numeric(12, 2) NOT NULL,
  "IsActive" boolean NOT NULL DEFAULT true
);

CREATE TABLE "Customers" (
  "CustomerID" int PRIMARY KEY,
  "Name" text NOT NULL,
  "Email" varchar(200),
  "RegionID" int NOT NULL REFERENCES "Regions" ("RegionID"),
  "CreatedAt" timestamp(3) NOT NULL,
  "Tags" varchar(100)
);

CREATE TABLE "Products" (
  "ProductID" int PRIMARY KEY,
  "Name" text NOT NULL,
  "Category" text NOT NULL,
  "UnitPrice" numeric(10, 2) NOT NULL,
  "Discontinued" boolean NOT NULL DEFAULT false,
  "Attributes" text
);

CREATE TABLE "Orders" (
  "OrderID" int PRIMARY KEY,
  "CustomerID" int NOT NULL REFERENCES "Customers" ("CustomerID"),
  "EmployeeID" int NOT NULL REFERENCES "Employees" ("EmployeeID"),
  "OrderDate" timestamp NOT NULL,
  "Status" varchar(20) NOT NULL
);
CREATE INDEX "IX_Orders_CustomerID" ON "Orders" ("CustomerID");

CREATE TABLE "OrderLines" (
  "OrderID" int NOT NULL REFERENCES "Orders" ("OrderID"),
  "LineNo" int NOT NULL,
  "ProductID" int NOT NULL REFERENCES "Products" ("ProductID"),
  "Quantity" int NOT NULL,
  "UnitPrice" numeric(10, 2) NOT NULL,
  PRIMARY KEY ("OrderID", "LineNo")
);
CREATE INDEX "IX_OrderLines_ProductID" ON "OrderLines" ("ProductID");

INSERT INTO "Regions" VALUES (1, 'North'), (2, 'South'), (3, 'East'), (4, 'West'), (5, 'Central');

INSERT INTO "Departments" VALUES
  (1, 'Sales', 1), (2, 'Sales', 2), (3, 'Support', 3), (4, 'Engineering', 4),
  (5, 'Finance', 5), (6, 'Human Resources', 5), (7, 'Marketing', 1), (8, 'Operations', 2);

INSERT INTO "Employees"
SELECT g,
  (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Ken','Dennis','Margaret','Linus','Frances'])[1 + g % 10],
  (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Thompson','Ritchie','Hamilton','Torvalds','Allen'])[1 + (g / 10) % 10],
  'employee' || g || '@example.com',
  1 + g % 8,
  CASE WHEN g <= 8 THEN NULL ELSE 1 + g % 8 END,
  DATE '2015-01-01' + (g * 13) % 3000,
  40000 + (g * 7919) % 90000 + (g % 100) / 100.0,
  g % 17 <> 0
FROM generate_series(1, 200) g;

INSERT INTO "Customers"
SELECT g, 'Customer ' || g, CASE WHEN g % 11 = 0 THEN NULL ELSE 'customer' || g || '@example.com' END,
  1 + g % 5, TIMESTAMP '2020-01-01 08:00:00' + (g * 3607) * INTERVAL '1 second',
  CASE g % 4 WHEN 0 THEN 'vip,newsletter' WHEN 1 THEN 'newsletter' WHEN 2 THEN NULL ELSE 'wholesale,vip' END
FROM generate_series(1, 1000) g;

INSERT INTO "Products"
SELECT g, 'Product ' || g, (ARRAY['Hardware','Software','Services','Books'])[1 + g % 4],
  (5 + (g * 37) % 495) + (g % 100) / 100.0, g % 23 = 0,
  '{"color": "' || (ARRAY['red','green','blue','black'])[1 + g % 4] || '", "weight": ' || (1 + g % 7) * 0.5
    || ', "tags": ["' || (ARRAY['new','sale','eco'])[1 + g % 3] || '"]}'
FROM generate_series(1, 100) g;

INSERT INTO "Orders"
SELECT g, 1 + (g * 7) % 1000, 1 + (g * 11) % 200, TIMESTAMP '2023-01-01' + (g * 28610) * INTERVAL '1 second',
  (ARRAY['Open','Shipped','Delivered','Cancelled'])[1 + g % 4]
FROM generate_series(1, 3000) g;

INSERT INTO "OrderLines"
SELECT o, l, 1 + (o * 13 + l * 7) % 100, 1 + (o + l) % 9, p."UnitPrice"
FROM generate_series(1, 3000) o
CROSS JOIN generate_series(1, 3) l
JOIN "Products" p ON p."ProductID" = 1 + (o * 13 + l * 7) % 100;

CREATE VIEW "vCustomerOrderTotals" AS
SELECT c."CustomerID", c."Name", count(DISTINCT o."OrderID")::int AS "OrderCount",
  coalesce(sum(ol."Quantity" * ol."UnitPrice"), 0)::numeric(14, 2) AS "TotalSpent"
FROM "Customers" c
LEFT JOIN "Orders" o ON o."CustomerID" = c."CustomerID"
LEFT JOIN "OrderLines" ol ON ol."OrderID" = o."OrderID"
GROUP BY c."CustomerID", c."Name";

CREATE VIEW "vEmployeeDirectory" AS
SELECT e."EmployeeID", e."FirstName" || ' ' || e."LastName" AS "FullName", e."Email", d."Name" AS "Department"
FROM "Employees" e JOIN "Departments" d ON d."DepartmentID" = e."DepartmentID"
WHERE e."IsActive";

-- Descriptions, which T-SQL clients read as MS_Description extended properties (sys.extended_properties).
COMMENT ON TABLE "Regions" IS 'Sales regions; every customer and department belongs to one.';
COMMENT ON TABLE "Departments" IS 'Company departments, each in one region.';
COMMENT ON TABLE "Employees" IS 'Staff records (HR data: salary, manager, hire date).';
COMMENT ON COLUMN "Employees"."Email" IS 'Work e-mail address of the employee.';
COMMENT ON COLUMN "Employees"."Salary" IS 'Yearly gross salary in USD.';
COMMENT ON COLUMN "Employees"."ManagerID" IS 'The employee''s manager (NULL for department heads).';
COMMENT ON TABLE "Customers" IS 'Customers who place orders.';
COMMENT ON COLUMN "Customers"."Email" IS 'Contact e-mail address of the customer (NULL when unknown).';
COMMENT ON COLUMN "Customers"."Tags" IS 'Comma-separated marketing tags, e.g. vip,newsletter.';
COMMENT ON TABLE "Products" IS 'Products for sale, with list price and category.';
COMMENT ON COLUMN "Products"."UnitPrice" IS 'Current list price in USD.';
COMMENT ON COLUMN "Products"."Attributes" IS 'JSON document: color, weight in kg, tags.';
COMMENT ON TABLE "Orders" IS 'Sales orders: who ordered, who took the order, when, and its status.';
COMMENT ON COLUMN "Orders"."Status" IS 'Open, Shipped, Delivered or Cancelled.';
COMMENT ON TABLE "OrderLines" IS 'Order line items: product, quantity and the price charged.';
COMMENT ON COLUMN "OrderLines"."UnitPrice" IS 'Price charged per unit on this order, in USD.';
COMMENT ON VIEW "vCustomerOrderTotals" IS 'Per customer: number of orders and total amount spent.';
COMMENT ON VIEW "vEmployeeDirectory" IS 'Active employees with their department.';

-- A stored procedure (dbo.usp_CustomerOrderSummary @CustomerID, @Since): a PostgreSQL function the TDS test server
-- runs for EXEC, its parameters listed in sys.parameters.
CREATE FUNCTION "usp_CustomerOrderSummary"("CustomerID" int, "Since" date)
RETURNS TABLE ("Status" varchar(20), "Orders" int, "LastOrder" timestamp)
LANGUAGE sql STABLE AS $$
  SELECT o."Status", count(*)::int, max(o."OrderDate") FROM "Orders" o
  WHERE o."CustomerID" = $1 AND o."OrderDate" >= $2 GROUP BY o."Status" ORDER BY o."Status"
$$;
COMMENT ON FUNCTION "usp_CustomerOrderSummary"(int, date) IS 'Orders of one customer since a date, by status.';

-- Database users (PostgreSQL roles) with real grants: alice is an analyst without HR data, bob a DBA.
CREATE ROLE alice;
CREATE ROLE bob;
GRANT SELECT ON "Regions", "Customers", "Products", "Orders", "OrderLines", "vCustomerOrderTotals" TO alice;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "Sales$dbo" TO bob;
-- As in SQL Server, running a procedure needs EXECUTE on it (PostgreSQL gives functions to PUBLIC by default).
REVOKE EXECUTE ON FUNCTION "usp_CustomerOrderSummary"(int, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "usp_CustomerOrderSummary"(int, date) TO alice, bob;
