-- The sample Sales schema and data in T-SQL, for running the corpus against a real SQL Server
-- (MSSQL_TEST_URL). The same rows as packages/tds-test-server/sample/sales.sql, generated the same way.
-- corpus/run.ts runs it once, in the URL's database, when dbo.Orders does not exist there.
CREATE TABLE dbo.Regions (RegionID int PRIMARY KEY, Name nvarchar(100) NOT NULL UNIQUE);
CREATE TABLE dbo.Departments (DepartmentID int PRIMARY KEY, Name nvarchar(100) NOT NULL, RegionID int NOT NULL REFERENCES dbo.Regions (RegionID));
CREATE TABLE dbo.Employees (EmployeeID int PRIMARY KEY, FirstName nvarchar(50) NOT NULL, LastName nvarchar(50) NOT NULL,
  Email varchar(200) NOT NULL UNIQUE, DepartmentID int NOT NULL REFERENCES dbo.Departments (DepartmentID),
  ManagerID int REFERENCES dbo.Employees (EmployeeID), HireDate date NOT NULL, Salary decimal(12, 2) NOT NULL, IsActive bit NOT NULL DEFAULT 1);
CREATE TABLE dbo.Customers (CustomerID int PRIMARY KEY, Name nvarchar(100) NOT NULL, Email varchar(200), RegionID int NOT NULL REFERENCES dbo.Regions (RegionID),
  CreatedAt datetime NOT NULL, Tags varchar(100));
CREATE TABLE dbo.Products (ProductID int PRIMARY KEY, Name nvarchar(100) NOT NULL, Category nvarchar(50) NOT NULL, UnitPrice decimal(10, 2) NOT NULL,
  Discontinued bit NOT NULL DEFAULT 0, Attributes nvarchar(max));
CREATE TABLE dbo.Orders (OrderID int PRIMARY KEY, CustomerID int NOT NULL REFERENCES dbo.Customers (CustomerID),
  EmployeeID int NOT NULL REFERENCES dbo.Employees (EmployeeID), OrderDate datetime2 NOT NULL, Status varchar(20) NOT NULL);
CREATE INDEX IX_Orders_CustomerID ON dbo.Orders (CustomerID);
CREATE TABLE dbo.OrderLines (OrderID int NOT NULL REFERENCES dbo.Orders (OrderID), [LineNo] int NOT NULL, ProductID int NOT NULL REFERENCES dbo.Products (ProductID),
  Quantity int NOT NULL, UnitPrice decimal(10, 2) NOT NULL, PRIMARY KEY (OrderID, [LineNo]));
CREATE INDEX IX_OrderLines_ProductID ON dbo.OrderLines (ProductID);
GO
INSERT INTO dbo.Regions VALUES (1, 'North'), (2, 'South'), (3, 'East'), (4, 'West'), (5, 'Central');
INSERT INTO dbo.Departments VALUES (1, 'Sales', 1), (2, 'Sales', 2), (3, 'Support', 3), (4, 'Engineering', 4),
  (5, 'Finance', 5), (6, 'Human Resources', 5), (7, 'Marketing', 1), (8, 'Operations', 2);
WITH g AS (SELECT TOP (3000) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS n FROM sys.all_objects a CROSS JOIN sys.all_objects b)
INSERT INTO dbo.Employees
SELECT n, CHOOSE(1 + n % 10, 'Ada','Grace','Alan','Edsger','Barbara','Ken','Dennis','Margaret','Linus','Frances'),
  CHOOSE(1 + (n / 10) % 10, 'Lovelace','Hopper','Turing','Dijkstra','Liskov','Thompson','Ritchie','Hamilton','Torvalds','Allen'),
  CONCAT('employee', n, '@example.com'), 1 + n % 8, CASE WHEN n <= 8 THEN NULL ELSE 1 + n % 8 END,
  DATEADD(day, (n * 13) % 3000, '2015-01-01'), 40000 + (n * 7919) % 90000 + (n % 100) / 100.0, CASE WHEN n % 17 <> 0 THEN 1 ELSE 0 END
FROM g WHERE n <= 200;
WITH g AS (SELECT TOP (3000) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS n FROM sys.all_objects a CROSS JOIN sys.all_objects b)
INSERT INTO dbo.Customers
SELECT n, CONCAT('Customer ', n), CASE WHEN n % 11 = 0 THEN NULL ELSE CONCAT('customer', n, '@example.com') END, 1 + n % 5,
  DATEADD(second, n * 3607, '2020-01-01T08:00:00'),
  CASE n % 4 WHEN 0 THEN 'vip,newsletter' WHEN 1 THEN 'newsletter' WHEN 2 THEN NULL ELSE 'wholesale,vip' END
FROM g WHERE n <= 1000;
WITH g AS (SELECT TOP (3000) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS n FROM sys.all_objects a CROSS JOIN sys.all_objects b)
INSERT INTO dbo.Products
SELECT n, CONCAT('Product ', n), CHOOSE(1 + n % 4, 'Hardware','Software','Services','Books'), (5 + (n * 37) % 495) + (n % 100) / 100.0,
  CASE WHEN n % 23 = 0 THEN 1 ELSE 0 END,
  CONCAT('{"color": "', CHOOSE(1 + n % 4, 'red','green','blue','black'), '", "weight": ', (1 + n % 7) * 0.5, ', "tags": ["', CHOOSE(1 + n % 3, 'new','sale','eco'), '"]}')
FROM g WHERE n <= 100;
WITH g AS (SELECT TOP (3000) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS n FROM sys.all_objects a CROSS JOIN sys.all_objects b)
INSERT INTO dbo.Orders
SELECT n, 1 + (n * 7) % 1000, 1 + (n * 11) % 200, DATEADD(second, n * 28610, CAST('2023-01-01' AS datetime2)),
  CHOOSE(1 + n % 4, 'Open','Shipped','Delivered','Cancelled')
FROM g;
WITH g AS (SELECT TOP (3000) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS n FROM sys.all_objects a CROSS JOIN sys.all_objects b)
INSERT INTO dbo.OrderLines
SELECT o.n, l.n, 1 + (o.n * 13 + l.n * 7) % 100, 1 + (o.n + l.n) % 9, p.UnitPrice
FROM g o CROSS JOIN (VALUES (1), (2), (3)) l(n) JOIN dbo.Products p ON p.ProductID = 1 + (o.n * 13 + l.n * 7) % 100;
GO
CREATE VIEW dbo.vCustomerOrderTotals AS
SELECT c.CustomerID, c.Name, COUNT(DISTINCT o.OrderID) AS OrderCount, CAST(COALESCE(SUM(ol.Quantity * ol.UnitPrice), 0) AS decimal(14, 2)) AS TotalSpent
FROM dbo.Customers c LEFT JOIN dbo.Orders o ON o.CustomerID = c.CustomerID LEFT JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID
GROUP BY c.CustomerID, c.Name;
GO
CREATE VIEW dbo.vEmployeeDirectory AS
SELECT e.EmployeeID, e.FirstName + ' ' + e.LastName AS FullName, e.Email, d.Name AS Department
FROM dbo.Employees e JOIN dbo.Departments d ON d.DepartmentID = e.DepartmentID WHERE e.IsActive = 1;
GO
