-- Read-only T-SQL as analysts and LLMs write it, against the sample Sales database (dbo).
-- One batch per entry, separated by GO lines; "-- @category NAME" names the entries that follow.
-- Each must pass the read-only guard and run on SQL Server; `npm run corpus` measures both.

-- @category basic
SELECT * FROM dbo.Regions
GO
SELECT TOP 10 * FROM dbo.Customers
GO
SELECT TOP (5) CustomerID, Name, Email FROM dbo.Customers ORDER BY CustomerID DESC
GO
SELECT DISTINCT Category FROM dbo.Products ORDER BY Category
GO
SELECT COUNT(*) AS CustomerCount FROM dbo.Customers
GO
SELECT [Name], [UnitPrice] FROM [dbo].[Products] WHERE [Discontinued] = 0
GO
SELECT p.ProductID, p.Name AS ProductName, p.UnitPrice FROM Products p ORDER BY p.UnitPrice DESC
GO
SELECT Name AS 'Customer Name', Email AS "Email Address" FROM dbo.Customers WHERE CustomerID <= 5
GO
select top 3 * from products order by unitprice
GO
SELECT TOP 1 WITH TIES Category, UnitPrice FROM dbo.Products ORDER BY UnitPrice DESC
GO
SELECT TOP 10 PERCENT ProductID, Name FROM dbo.Products ORDER BY UnitPrice DESC
GO
SELECT * FROM dbo.vCustomerOrderTotals ORDER BY TotalSpent DESC OFFSET 0 ROWS FETCH NEXT 10 ROWS ONLY
GO
SELECT EmployeeID, FullName, Department FROM dbo.vEmployeeDirectory WHERE Department = N'Sales'
GO
SELECT Sales.dbo.Regions.Name FROM Sales.dbo.Regions
GO
SELECT r.Name FROM Sales..Regions r
GO
SELECT 1 AS one, 'two' AS two, 3.0 AS three, NULL AS nothing
GO
SELECT CustomerID, Name FROM dbo.Customers ORDER BY Name OFFSET 20 ROWS FETCH NEXT 20 ROWS ONLY
GO
SELECT TOP 5 OrderID, OrderDate, Status FROM dbo.Orders ORDER BY OrderDate DESC, OrderID
GO
SELECT ProductID, Name, UnitPrice * 1.2 AS PriceWithTax FROM dbo.Products
GO
SELECT -UnitPrice AS Negative, UnitPrice % 10 AS Remainder, UnitPrice / 2 AS Half FROM dbo.Products WHERE ProductID < 10
GO

-- @category filter
SELECT * FROM dbo.Customers WHERE Email IS NULL
GO
SELECT * FROM dbo.Customers WHERE Email IS NOT NULL AND RegionID = 3
GO
SELECT * FROM dbo.Products WHERE UnitPrice BETWEEN 50 AND 100
GO
SELECT * FROM dbo.Products WHERE Category IN ('Books', 'Software')
GO
SELECT * FROM dbo.Products WHERE Category NOT IN (N'Books', N'Hardware') AND Discontinued = 0
GO
SELECT * FROM dbo.Customers WHERE Name LIKE 'Customer 1%'
GO
SELECT * FROM dbo.Customers WHERE Name LIKE '%99'
GO
SELECT * FROM dbo.Customers WHERE Email LIKE '%@example.com' AND Name NOT LIKE '%5%'
GO
SELECT * FROM dbo.Customers WHERE Name LIKE 'customer 1_'
GO
SELECT * FROM dbo.Orders WHERE OrderDate >= '2024-01-01' AND OrderDate < '2024-02-01'
GO
SELECT * FROM dbo.Orders WHERE Status = 'Shipped' AND OrderDate > '20240601'
GO
SELECT * FROM dbo.Employees WHERE IsActive = 1 AND Salary > 100000
GO
SELECT * FROM dbo.Employees WHERE ManagerID IS NULL
GO
SELECT * FROM dbo.Employees WHERE HireDate BETWEEN '2018-01-01' AND '2018-12-31' ORDER BY HireDate
GO
SELECT * FROM dbo.Orders WHERE NOT (Status = 'Cancelled' OR Status = 'Open')
GO
SELECT * FROM dbo.OrderLines WHERE Quantity >= 5 AND UnitPrice < 100
GO
SELECT * FROM dbo.Products WHERE UnitPrice <> 10 AND UnitPrice != 20
GO
SELECT * FROM dbo.Customers WHERE CustomerID IN (SELECT CustomerID FROM dbo.Orders WHERE Status = 'Open')
GO
SELECT * FROM dbo.Customers c WHERE NOT EXISTS (SELECT 1 FROM dbo.Orders o WHERE o.CustomerID = c.CustomerID)
GO
SELECT * FROM dbo.Products WHERE Name LIKE N'Product [1-3]%'
GO
SELECT * FROM dbo.Orders WHERE YEAR(OrderDate) = 2024 AND MONTH(OrderDate) = 3
GO
SELECT * FROM dbo.Orders WHERE CAST(OrderDate AS date) = '2024-03-15'
GO
SELECT * FROM dbo.Employees WHERE Email = 'employee42@example.com'
GO
SELECT * FROM dbo.Customers WHERE ISNULL(Email, '') = ''
GO
SELECT * FROM dbo.Products WHERE COALESCE(UnitPrice, 0) > 400
GO

-- @category join
SELECT o.OrderID, c.Name, o.OrderDate FROM dbo.Orders o JOIN dbo.Customers c ON c.CustomerID = o.CustomerID WHERE o.OrderID < 20
GO
SELECT o.OrderID, c.Name FROM dbo.Orders AS o INNER JOIN dbo.Customers AS c ON o.CustomerID = c.CustomerID ORDER BY o.OrderID
GO
SELECT c.Name, o.OrderID FROM dbo.Customers c LEFT JOIN dbo.Orders o ON o.CustomerID = c.CustomerID WHERE o.OrderID IS NULL
GO
SELECT c.Name, o.OrderID FROM dbo.Orders o RIGHT OUTER JOIN dbo.Customers c ON o.CustomerID = c.CustomerID
GO
SELECT r.Name AS Region, c.Name AS Customer FROM dbo.Regions r FULL OUTER JOIN dbo.Customers c ON c.RegionID = r.RegionID
GO
SELECT r.Name, d.Name FROM dbo.Regions r CROSS JOIN dbo.Departments d
GO
SELECT e.FirstName, e.LastName, m.FirstName AS ManagerFirst, m.LastName AS ManagerLast FROM dbo.Employees e LEFT JOIN dbo.Employees m ON m.EmployeeID = e.ManagerID
GO
SELECT o.OrderID, p.Name, ol.Quantity, ol.UnitPrice FROM dbo.Orders o JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID JOIN dbo.Products p ON p.ProductID = ol.ProductID WHERE o.OrderID = 100
GO
SELECT c.Name, r.Name AS Region, COUNT(o.OrderID) AS Orders FROM dbo.Customers c JOIN dbo.Regions r ON r.RegionID = c.RegionID LEFT JOIN dbo.Orders o ON o.CustomerID = c.CustomerID GROUP BY c.Name, r.Name
GO
SELECT e.EmployeeID, d.Name AS Department, r.Name AS Region FROM dbo.Employees e JOIN dbo.Departments d ON d.DepartmentID = e.DepartmentID JOIN dbo.Regions r ON r.RegionID = d.RegionID
GO
SELECT o.OrderID, c.Name FROM dbo.Orders o INNER HASH JOIN dbo.Customers c ON c.CustomerID = o.CustomerID WHERE o.OrderID < 10
GO
SELECT o.OrderID, c.Name FROM dbo.Orders o INNER LOOP JOIN dbo.Customers c ON c.CustomerID = o.CustomerID WHERE o.OrderID < 10
GO
SELECT o.OrderID, c.Name FROM dbo.Orders o LEFT OUTER MERGE JOIN dbo.Customers c ON c.CustomerID = o.CustomerID WHERE o.OrderID < 10
GO
SELECT o.OrderID FROM dbo.Orders o WITH (NOLOCK) JOIN dbo.Customers c WITH (NOLOCK) ON c.CustomerID = o.CustomerID WHERE c.RegionID = 2
GO
SELECT o.OrderID FROM dbo.Orders o (NOLOCK) WHERE o.OrderID < 5
GO
SELECT p.Name, x.TotalQty FROM dbo.Products p JOIN (SELECT ProductID, SUM(Quantity) AS TotalQty FROM dbo.OrderLines GROUP BY ProductID) x ON x.ProductID = p.ProductID ORDER BY x.TotalQty DESC
GO
SELECT a.OrderID, b.OrderID AS NextOrder FROM dbo.Orders a JOIN dbo.Orders b ON b.OrderID = a.OrderID + 1 WHERE a.CustomerID = b.CustomerID
GO
SELECT c.Name, t.OrderCount FROM dbo.Customers c JOIN dbo.vCustomerOrderTotals t ON t.CustomerID = c.CustomerID WHERE t.OrderCount > 3
GO
SELECT d.Name, e.FirstName FROM dbo.Departments d JOIN dbo.Employees e ON e.DepartmentID = d.DepartmentID AND e.IsActive = 1 WHERE d.DepartmentID = 1
GO
SELECT DISTINCT c.CustomerID, c.Name FROM dbo.Customers c JOIN dbo.Orders o ON o.CustomerID = c.CustomerID JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID WHERE ol.ProductID = 7
GO

-- @category aggregate
SELECT Category, COUNT(*) AS Products, AVG(UnitPrice) AS AvgPrice FROM dbo.Products GROUP BY Category
GO
SELECT Category, MIN(UnitPrice) AS MinPrice, MAX(UnitPrice) AS MaxPrice FROM dbo.Products GROUP BY Category ORDER BY MaxPrice DESC
GO
SELECT Status, COUNT(*) AS Orders FROM dbo.Orders GROUP BY Status HAVING COUNT(*) > 100
GO
SELECT CustomerID, COUNT(*) AS Orders FROM dbo.Orders GROUP BY CustomerID HAVING COUNT(*) >= 5 ORDER BY Orders DESC
GO
SELECT COUNT_BIG(*) AS Lines FROM dbo.OrderLines
GO
SELECT COUNT(DISTINCT CustomerID) AS ActiveCustomers FROM dbo.Orders
GO
SELECT SUM(Quantity * UnitPrice) AS Revenue FROM dbo.OrderLines
GO
SELECT YEAR(o.OrderDate) AS [Year], SUM(ol.Quantity * ol.UnitPrice) AS Revenue FROM dbo.Orders o JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID GROUP BY YEAR(o.OrderDate) ORDER BY [Year]
GO
SELECT YEAR(OrderDate) AS Y, MONTH(OrderDate) AS M, COUNT(*) AS Orders FROM dbo.Orders GROUP BY YEAR(OrderDate), MONTH(OrderDate) ORDER BY Y, M
GO
SELECT DepartmentID, AVG(Salary) AS AvgSalary, STDEV(Salary) AS SdSalary FROM dbo.Employees GROUP BY DepartmentID
GO
SELECT Category, STRING_AGG(Name, ', ') AS Names FROM dbo.Products WHERE ProductID <= 12 GROUP BY Category
GO
SELECT Category, STRING_AGG(Name, ', ') WITHIN GROUP (ORDER BY Name) AS Names FROM dbo.Products WHERE ProductID <= 12 GROUP BY Category
GO
SELECT Category, COUNT(*) AS N FROM dbo.Products GROUP BY Category WITH ROLLUP
GO
SELECT Category, Discontinued, COUNT(*) AS N FROM dbo.Products GROUP BY ROLLUP (Category, Discontinued)
GO
SELECT Category, Discontinued, COUNT(*) AS N FROM dbo.Products GROUP BY CUBE (Category, Discontinued)
GO
SELECT Category, Discontinued, COUNT(*) AS N FROM dbo.Products GROUP BY GROUPING SETS ((Category), (Discontinued), ())
GO
SELECT Category, GROUPING(Category) AS IsTotal, SUM(UnitPrice) AS Total FROM dbo.Products GROUP BY ROLLUP (Category)
GO
SELECT SUM(CASE WHEN Status = 'Open' THEN 1 ELSE 0 END) AS OpenOrders, SUM(CASE WHEN Status = 'Shipped' THEN 1 ELSE 0 END) AS Shipped FROM dbo.Orders
GO
SELECT COUNT(*) AS Total, COUNT(Email) AS WithEmail, COUNT(*) - COUNT(Email) AS WithoutEmail FROM dbo.Customers
GO
SELECT AVG(CAST(Quantity AS float)) AS AvgQty, AVG(CAST(Quantity AS decimal(10, 2))) AS AvgQtyDec FROM dbo.OrderLines
GO
SELECT MAX(OrderDate) AS Latest, MIN(OrderDate) AS Earliest FROM dbo.Orders
GO
SELECT RegionID, COUNT(*) AS Customers FROM dbo.Customers GROUP BY RegionID HAVING COUNT(*) > 100 ORDER BY 2 DESC
GO
SELECT TOP 5 CustomerID, SUM(ol.Quantity * ol.UnitPrice) AS Spent FROM dbo.Orders o JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID GROUP BY CustomerID ORDER BY Spent DESC
GO
SELECT VAR(Salary) AS V, VARP(Salary) AS VP, STDEVP(Salary) AS SP FROM dbo.Employees
GO
SELECT APPROX_COUNT_DISTINCT(CustomerID) AS ApproxCustomers FROM dbo.Orders
GO

-- @category window
SELECT OrderID, CustomerID, ROW_NUMBER() OVER (PARTITION BY CustomerID ORDER BY OrderDate) AS rn FROM dbo.Orders WHERE CustomerID < 10
GO
SELECT ProductID, UnitPrice, RANK() OVER (ORDER BY UnitPrice DESC) AS rnk, DENSE_RANK() OVER (ORDER BY UnitPrice DESC) AS drnk FROM dbo.Products
GO
SELECT EmployeeID, Salary, NTILE(4) OVER (ORDER BY Salary) AS Quartile FROM dbo.Employees
GO
SELECT OrderID, OrderDate, LAG(OrderDate) OVER (ORDER BY OrderDate) AS PrevDate, LEAD(OrderDate, 1) OVER (ORDER BY OrderDate) AS NextDate FROM dbo.Orders WHERE CustomerID = 8
GO
SELECT OrderID, LineNo, Quantity, SUM(Quantity) OVER (PARTITION BY OrderID ORDER BY LineNo ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS RunningQty FROM dbo.OrderLines WHERE OrderID < 5
GO
SELECT DepartmentID, EmployeeID, Salary, AVG(Salary) OVER (PARTITION BY DepartmentID) AS DeptAvg, Salary - AVG(Salary) OVER (PARTITION BY DepartmentID) AS Diff FROM dbo.Employees
GO
SELECT EmployeeID, Salary, FIRST_VALUE(EmployeeID) OVER (PARTITION BY DepartmentID ORDER BY Salary DESC) AS TopEarner FROM dbo.Employees
GO
SELECT EmployeeID, Salary, LAST_VALUE(Salary) OVER (ORDER BY Salary ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS MaxSalary FROM dbo.Employees
GO
SELECT ProductID, UnitPrice, PERCENT_RANK() OVER (ORDER BY UnitPrice) AS pr, CUME_DIST() OVER (ORDER BY UnitPrice) AS cd FROM dbo.Products
GO
SELECT * FROM (SELECT CustomerID, OrderID, ROW_NUMBER() OVER (PARTITION BY CustomerID ORDER BY OrderDate DESC) AS rn FROM dbo.Orders) t WHERE t.rn = 1 AND t.CustomerID < 20
GO
SELECT OrderID, COUNT(*) OVER () AS TotalRows FROM dbo.Orders WHERE OrderID < 10
GO
SELECT OrderID, SUM(Quantity) OVER (PARTITION BY OrderID) AS OrderQty FROM dbo.OrderLines WHERE OrderID BETWEEN 10 AND 12
GO
SELECT CustomerID, OrderDate, DATEDIFF(day, LAG(OrderDate) OVER (PARTITION BY CustomerID ORDER BY OrderDate), OrderDate) AS DaysSincePrev FROM dbo.Orders WHERE CustomerID = 15
GO
SELECT ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS n, Name FROM dbo.Regions
GO
SELECT OrderID, Quantity, AVG(Quantity) OVER (ORDER BY OrderID, LineNo ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS MovingAvg FROM dbo.OrderLines WHERE OrderID < 10
GO
SELECT Category, Name, UnitPrice FROM (SELECT Category, Name, UnitPrice, DENSE_RANK() OVER (PARTITION BY Category ORDER BY UnitPrice DESC) AS r FROM dbo.Products) ranked WHERE r <= 3 ORDER BY Category, r
GO
SELECT DISTINCT Category, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY UnitPrice) OVER (PARTITION BY Category) AS MedianPrice FROM dbo.Products
GO
SELECT Category, COUNT(*) AS N, SUM(COUNT(*)) OVER () AS AllProducts, 100.0 * COUNT(*) / SUM(COUNT(*)) OVER () AS Pct FROM dbo.Products GROUP BY Category
GO
SELECT OrderID, LineNo, ROW_NUMBER() OVER (PARTITION BY OrderID ORDER BY Quantity DESC, LineNo) AS r FROM dbo.OrderLines WHERE OrderID <= 3
GO

-- @category cte
WITH big AS (SELECT * FROM dbo.Products WHERE UnitPrice > 300) SELECT COUNT(*) AS N FROM big
GO
WITH totals AS (SELECT OrderID, SUM(Quantity * UnitPrice) AS Total FROM dbo.OrderLines GROUP BY OrderID) SELECT TOP 10 o.OrderID, o.Status, t.Total FROM dbo.Orders o JOIN totals t ON t.OrderID = o.OrderID ORDER BY t.Total DESC
GO
WITH a AS (SELECT CustomerID, COUNT(*) AS N FROM dbo.Orders GROUP BY CustomerID), b AS (SELECT N, COUNT(*) AS Customers FROM a GROUP BY N) SELECT * FROM b ORDER BY N
GO
;WITH cte AS (SELECT ProductID, Name FROM dbo.Products) SELECT * FROM cte WHERE ProductID < 5
GO
WITH cte (Id, ProductName) AS (SELECT ProductID, Name FROM dbo.Products) SELECT Id, ProductName FROM cte WHERE Id BETWEEN 3 AND 6
GO
WITH monthly AS (SELECT DATEFROMPARTS(YEAR(OrderDate), MONTH(OrderDate), 1) AS MonthStart, COUNT(*) AS Orders FROM dbo.Orders GROUP BY DATEFROMPARTS(YEAR(OrderDate), MONTH(OrderDate), 1)) SELECT MonthStart, Orders, Orders - LAG(Orders) OVER (ORDER BY MonthStart) AS Change FROM monthly ORDER BY MonthStart
GO
WITH ranked AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY DepartmentID ORDER BY Salary DESC) AS rn FROM dbo.Employees) SELECT DepartmentID, FirstName, LastName, Salary FROM ranked WHERE rn = 1
GO
WITH c AS (SELECT RegionID, COUNT(*) AS Customers FROM dbo.Customers GROUP BY RegionID) SELECT r.Name, c.Customers FROM c JOIN dbo.Regions r ON r.RegionID = c.RegionID
GO
WITH x AS (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) SELECT SUM(n) AS total FROM x
GO
WITH first_orders AS (SELECT CustomerID, MIN(OrderDate) AS FirstOrder FROM dbo.Orders GROUP BY CustomerID) SELECT YEAR(FirstOrder) AS Cohort, COUNT(*) AS NewCustomers FROM first_orders GROUP BY YEAR(FirstOrder)
GO
WITH d AS (SELECT DepartmentID, AVG(Salary) AS AvgSal FROM dbo.Employees GROUP BY DepartmentID) SELECT e.EmployeeID, e.Salary, d.AvgSal FROM dbo.Employees e JOIN d ON d.DepartmentID = e.DepartmentID WHERE e.Salary > d.AvgSal
GO
WITH lines AS (SELECT ProductID, SUM(Quantity) AS Sold FROM dbo.OrderLines GROUP BY ProductID) SELECT p.Category, SUM(l.Sold) AS Sold FROM lines l JOIN dbo.Products p ON p.ProductID = l.ProductID GROUP BY p.Category ORDER BY Sold DESC
GO

-- @category recursive
WITH n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n
GO
WITH n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) SELECT SUM(i) AS total FROM n OPTION (MAXRECURSION 200)
GO
WITH org AS (SELECT EmployeeID, ManagerID, 0 AS Lvl FROM dbo.Employees WHERE ManagerID IS NULL UNION ALL SELECT e.EmployeeID, e.ManagerID, o.Lvl + 1 FROM dbo.Employees e JOIN org o ON e.ManagerID = o.EmployeeID) SELECT Lvl, COUNT(*) AS People FROM org GROUP BY Lvl
GO
WITH chain AS (SELECT EmployeeID, ManagerID, CAST(EmployeeID AS varchar(100)) AS Path FROM dbo.Employees WHERE EmployeeID = 100 UNION ALL SELECT m.EmployeeID, m.ManagerID, CAST(c.Path + ' > ' + CAST(m.EmployeeID AS varchar(10)) AS varchar(100)) FROM dbo.Employees m JOIN chain c ON m.EmployeeID = c.ManagerID) SELECT * FROM chain
GO
WITH dates AS (SELECT CAST('2024-01-01' AS date) AS d UNION ALL SELECT DATEADD(day, 1, d) FROM dates WHERE d < '2024-01-31') SELECT d FROM dates OPTION (MAXRECURSION 0)
GO
WITH months AS (SELECT 1 AS m UNION ALL SELECT m + 1 FROM months WHERE m < 12) SELECT months.m, COUNT(o.OrderID) AS Orders FROM months LEFT JOIN dbo.Orders o ON MONTH(o.OrderDate) = months.m AND YEAR(o.OrderDate) = 2024 GROUP BY months.m ORDER BY months.m
GO
WITH reports AS (SELECT EmployeeID FROM dbo.Employees WHERE EmployeeID = 1 UNION ALL SELECT e.EmployeeID FROM dbo.Employees e INNER JOIN reports r ON e.ManagerID = r.EmployeeID) SELECT COUNT(*) AS TeamSize FROM reports
GO
WITH fib (a, b, n) AS (SELECT 0, 1, 1 UNION ALL SELECT b, a + b, n + 1 FROM fib WHERE n < 20) SELECT n, a FROM fib
GO

-- @category apply
SELECT c.CustomerID, c.Name, x.OrderID, x.OrderDate FROM dbo.Customers c CROSS APPLY (SELECT TOP 1 o.OrderID, o.OrderDate FROM dbo.Orders o WHERE o.CustomerID = c.CustomerID ORDER BY o.OrderDate DESC) x WHERE c.CustomerID < 20
GO
SELECT c.CustomerID, x.OrderID FROM dbo.Customers c OUTER APPLY (SELECT TOP 1 o.OrderID FROM dbo.Orders o WHERE o.CustomerID = c.CustomerID ORDER BY o.OrderID) x WHERE c.CustomerID < 20
GO
SELECT o.OrderID, t.Total FROM dbo.Orders o CROSS APPLY (SELECT SUM(ol.Quantity * ol.UnitPrice) AS Total FROM dbo.OrderLines ol WHERE ol.OrderID = o.OrderID) AS t WHERE o.OrderID < 10
GO
SELECT p.ProductID, top3.OrderID, top3.Quantity FROM dbo.Products p CROSS APPLY (SELECT TOP 3 ol.OrderID, ol.Quantity FROM dbo.OrderLines ol WHERE ol.ProductID = p.ProductID ORDER BY ol.Quantity DESC) top3 WHERE p.ProductID <= 3
GO
SELECT r.Name, s.Customers FROM dbo.Regions r OUTER APPLY (SELECT COUNT(*) AS Customers FROM dbo.Customers c WHERE c.RegionID = r.RegionID) s
GO
SELECT c.CustomerID, v.n FROM dbo.Customers c CROSS APPLY (VALUES (c.CustomerID * 2), (c.CustomerID * 3)) AS v(n) WHERE c.CustomerID < 4
GO
SELECT e.EmployeeID, m.FullName AS Manager FROM dbo.Employees e OUTER APPLY (SELECT d.FullName FROM dbo.vEmployeeDirectory d WHERE d.EmployeeID = e.ManagerID) m WHERE e.EmployeeID < 15
GO
SELECT c.CustomerID, tag.value AS Tag FROM dbo.Customers c CROSS APPLY STRING_SPLIT(c.Tags, ',') tag WHERE c.CustomerID < 30
GO
SELECT p.ProductID, j.[key], j.[value] FROM dbo.Products p CROSS APPLY OPENJSON(p.Attributes) j WHERE p.ProductID < 4
GO
SELECT p.ProductID, a.Color, a.Weight FROM dbo.Products p CROSS APPLY OPENJSON(p.Attributes) WITH (Color nvarchar(20) '$.color', Weight decimal(6, 2) '$.weight') a WHERE p.ProductID <= 5
GO

-- @category pivot
SELECT * FROM (SELECT p.Category, YEAR(o.OrderDate) AS OrderYear, ol.Quantity FROM dbo.OrderLines ol JOIN dbo.Orders o ON o.OrderID = ol.OrderID JOIN dbo.Products p ON p.ProductID = ol.ProductID) AS src PIVOT (SUM(Quantity) FOR OrderYear IN ([2023], [2024], [2025])) AS pvt
GO
SELECT Category, [0] AS Active, [1] AS Discontinued FROM (SELECT Category, CAST(Discontinued AS int) AS D, ProductID FROM dbo.Products) s PIVOT (COUNT(ProductID) FOR D IN ([0], [1])) p
GO
SELECT * FROM (SELECT Status, RegionID FROM dbo.Orders o JOIN dbo.Customers c ON c.CustomerID = o.CustomerID) s PIVOT (COUNT(RegionID) FOR Status IN ([Open], [Shipped], [Delivered], [Cancelled])) AS p
GO
SELECT RegionID, [Open], [Shipped] FROM (SELECT c.RegionID, o.Status, o.OrderID FROM dbo.Orders o JOIN dbo.Customers c ON c.CustomerID = o.CustomerID) AS s PIVOT (COUNT(OrderID) FOR Status IN ([Open], [Shipped])) AS p ORDER BY RegionID
GO
SELECT DepartmentID, [2015], [2016], [2017] FROM (SELECT DepartmentID, YEAR(HireDate) AS HireYear, EmployeeID FROM dbo.Employees) AS s PIVOT (COUNT(EmployeeID) FOR HireYear IN ([2015], [2016], [2017])) AS p
GO
SELECT * FROM (SELECT Category, UnitPrice, CASE WHEN UnitPrice < 100 THEN 'Low' WHEN UnitPrice < 300 THEN 'Mid' ELSE 'High' END AS Band FROM dbo.Products) s PIVOT (AVG(UnitPrice) FOR Band IN ([Low], [Mid], [High])) p
GO
SELECT ProductID, Attr, Val FROM (SELECT ProductID, CAST(UnitPrice AS decimal(10, 2)) AS Price, CAST(ProductID * 2 AS decimal(10, 2)) AS Doubled FROM dbo.Products WHERE ProductID < 4) s UNPIVOT (Val FOR Attr IN (Price, Doubled)) AS u
GO
SELECT * FROM (SELECT MONTH(OrderDate) AS M, OrderID FROM dbo.Orders WHERE YEAR(OrderDate) = 2024) s PIVOT (COUNT(OrderID) FOR M IN ([1], [2], [3], [4], [5], [6], [7], [8], [9], [10], [11], [12])) p
GO

-- @category setops
SELECT CustomerID FROM dbo.Customers EXCEPT SELECT CustomerID FROM dbo.Orders
GO
SELECT CustomerID FROM dbo.Customers WHERE RegionID = 1 INTERSECT SELECT CustomerID FROM dbo.Orders WHERE Status = 'Open'
GO
SELECT Name FROM dbo.Regions UNION SELECT Name FROM dbo.Departments ORDER BY Name
GO
SELECT 'Customer' AS Kind, Email FROM dbo.Customers WHERE CustomerID < 5 UNION ALL SELECT 'Employee', Email FROM dbo.Employees WHERE EmployeeID < 5
GO
SELECT ProductID FROM dbo.Products WHERE Category = 'Books' UNION SELECT ProductID FROM dbo.Products WHERE UnitPrice > 400 EXCEPT SELECT ProductID FROM dbo.Products WHERE Discontinued = 1
GO
(SELECT TOP 3 ProductID, UnitPrice FROM dbo.Products ORDER BY UnitPrice DESC) UNION ALL (SELECT TOP 3 ProductID, UnitPrice FROM dbo.Products ORDER BY UnitPrice ASC)
GO
SELECT COUNT(*) AS N FROM (SELECT CustomerID FROM dbo.Orders INTERSECT SELECT CustomerID FROM dbo.Customers WHERE Email IS NULL) x
GO

-- @category subquery
SELECT Name, (SELECT COUNT(*) FROM dbo.Orders o WHERE o.CustomerID = c.CustomerID) AS Orders FROM dbo.Customers c WHERE CustomerID < 10
GO
SELECT * FROM dbo.Products WHERE UnitPrice > (SELECT AVG(UnitPrice) FROM dbo.Products)
GO
SELECT * FROM dbo.Employees WHERE Salary = (SELECT MAX(Salary) FROM dbo.Employees)
GO
SELECT * FROM dbo.Products p WHERE UnitPrice > ALL (SELECT UnitPrice FROM dbo.Products WHERE Category = 'Books')
GO
SELECT * FROM dbo.Products p WHERE UnitPrice < ANY (SELECT UnitPrice FROM dbo.Products WHERE Category = 'Books') AND Category <> 'Books'
GO
SELECT c.Name FROM dbo.Customers c WHERE EXISTS (SELECT * FROM dbo.Orders o WHERE o.CustomerID = c.CustomerID AND o.Status = 'Cancelled')
GO
SELECT x.Category, x.N FROM (SELECT Category, COUNT(*) AS N FROM dbo.Products GROUP BY Category) AS x WHERE x.N > 20
GO
SELECT e.EmployeeID, e.Salary FROM dbo.Employees e WHERE e.Salary > (SELECT AVG(e2.Salary) FROM dbo.Employees e2 WHERE e2.DepartmentID = e.DepartmentID)
GO
SELECT TOP 5 CustomerID, (SELECT MAX(OrderDate) FROM dbo.Orders o WHERE o.CustomerID = c.CustomerID) AS LastOrder FROM dbo.Customers c ORDER BY LastOrder DESC
GO
SELECT OrderID FROM dbo.Orders WHERE CustomerID = (SELECT TOP 1 CustomerID FROM dbo.vCustomerOrderTotals ORDER BY TotalSpent DESC)
GO
SELECT * FROM (VALUES (1, 'one'), (2, 'two'), (3, 'three')) AS v(n, word)
GO
SELECT v.Status, COUNT(o.OrderID) AS N FROM (VALUES ('Open'), ('Shipped'), ('Lost')) v(Status) LEFT JOIN dbo.Orders o ON o.Status = v.Status GROUP BY v.Status
GO

-- @category string
SELECT FirstName + ' ' + LastName AS FullName FROM dbo.Employees WHERE EmployeeID < 10
GO
SELECT CONCAT(FirstName, ' ', LastName) AS FullName, CONCAT_WS(', ', LastName, FirstName) AS Sortable FROM dbo.Employees WHERE EmployeeID < 10
GO
SELECT UPPER(Name) AS U, LOWER(Name) AS L, LEN(Name) AS N FROM dbo.Regions
GO
SELECT LEFT(Email, CHARINDEX('@', Email) - 1) AS LocalPart, SUBSTRING(Email, CHARINDEX('@', Email) + 1, 100) AS Domain FROM dbo.Employees WHERE EmployeeID < 10
GO
SELECT RIGHT(Name, 2) AS LastTwo, REVERSE(Name) AS Backwards FROM dbo.Products WHERE ProductID < 10
GO
SELECT REPLACE(Name, 'Product', 'Item') AS Renamed FROM dbo.Products WHERE ProductID < 5
GO
SELECT LTRIM(RTRIM('  padded  ')) AS Trimmed, TRIM('  both  ') AS T2
GO
SELECT REPLICATE('ab', 3) AS R, SPACE(3) + 'x' AS S, STUFF('abcdef', 2, 3, 'XYZ') AS Stuffed
GO
SELECT CHARINDEX('b', 'abcabc') AS First, CHARINDEX('b', 'abcabc', 3) AS Second, PATINDEX('%[0-9]%', 'abc123') AS Digit
GO
SELECT Name FROM dbo.Customers WHERE CHARINDEX('7', Name) > 0 AND CustomerID < 100
GO
SELECT QUOTENAME(Name) AS Quoted, QUOTENAME(Name, '''') AS SingleQuoted FROM dbo.Regions
GO
SELECT STRING_AGG(CAST(ProductID AS varchar(10)), ',') AS Ids FROM dbo.Products WHERE Category = 'Books'
GO
SELECT STUFF((SELECT ', ' + Name FROM dbo.Regions ORDER BY Name FOR XML PATH('')), 1, 2, '') AS RegionList
GO
SELECT d.Name, STUFF((SELECT ',' + e.LastName FROM dbo.Employees e WHERE e.DepartmentID = d.DepartmentID AND e.EmployeeID < 40 FOR XML PATH('')), 1, 1, '') AS People FROM dbo.Departments d
GO
SELECT value FROM STRING_SPLIT('red,green,blue', ',')
GO
SELECT value, ordinal FROM STRING_SPLIT('a-b-c', '-', 1) ORDER BY ordinal
GO
SELECT TRANSLATE('2*[3+4]/{7-2}', '[]{}', '()()') AS Translated
GO
SELECT Name, LEN(Name) - LEN(REPLACE(Name, ' ', '')) AS Spaces FROM dbo.Products WHERE ProductID < 4
GO
SELECT FORMAT(UnitPrice, 'N2') AS Price, FORMAT(UnitPrice, 'C', 'en-US') AS Money FROM dbo.Products WHERE ProductID < 5
GO
SELECT FORMAT(1234567.891, '#,##0.00') AS Grouped, FORMAT(0.256, 'P1') AS Percent1
GO
SELECT Name COLLATE Latin1_General_CI_AS AS Name FROM dbo.Regions ORDER BY Name COLLATE Latin1_General_CI_AS
GO
SELECT UNICODE(N'A') AS Code, NCHAR(66) AS B, ASCII('a') AS A, CHAR(99) AS C
GO
SELECT SOUNDEX('Robert') AS S1, DIFFERENCE('Robert', 'Rupert') AS D
GO
SELECT 'It''s ' + Name AS Quoted FROM dbo.Regions
GO
SELECT N'Ünïcödé ' + Name AS Intl FROM dbo.Regions WHERE RegionID = 1
GO
SELECT Email FROM dbo.Employees WHERE Email LIKE '%[_]%' OR Email LIKE 'employee1%'
GO
SELECT STR(UnitPrice, 10, 2) AS Padded FROM dbo.Products WHERE ProductID < 3
GO
SELECT LOWER(LEFT(FirstName, 1)) + LOWER(LastName) AS Login FROM dbo.Employees WHERE EmployeeID < 6
GO

-- @category date
SELECT GETDATE() AS Now, SYSDATETIME() AS Precise, GETUTCDATE() AS Utc, CURRENT_TIMESTAMP AS Ts
GO
SELECT OrderID, YEAR(OrderDate) AS Y, MONTH(OrderDate) AS M, DAY(OrderDate) AS D FROM dbo.Orders WHERE OrderID < 10
GO
SELECT OrderID, DATEPART(quarter, OrderDate) AS Q, DATEPART(weekday, OrderDate) AS Dow, DATEPART(hour, OrderDate) AS H FROM dbo.Orders WHERE OrderID < 10
GO
SELECT OrderID, DATENAME(month, OrderDate) AS MonthName, DATENAME(weekday, OrderDate) AS DayName FROM dbo.Orders WHERE OrderID < 10
GO
SELECT OrderID, DATEADD(day, 30, OrderDate) AS Due, DATEADD(month, -1, OrderDate) AS MonthBefore, DATEADD(year, 1, OrderDate) AS NextYear FROM dbo.Orders WHERE OrderID < 5
GO
SELECT EmployeeID, DATEDIFF(year, HireDate, '2025-01-01') AS Years, DATEDIFF(month, HireDate, '2025-01-01') AS Months, DATEDIFF(day, HireDate, '2025-01-01') AS Days FROM dbo.Employees WHERE EmployeeID < 10
GO
SELECT DATEDIFF(hour, '2024-01-01 08:00', '2024-01-02 09:30') AS Hours, DATEDIFF(minute, '2024-01-01 08:00', '2024-01-01 09:30') AS Minutes, DATEDIFF(second, '2024-01-01 00:00:00', '2024-01-01 00:01:05') AS Secs
GO
SELECT EOMONTH(OrderDate) AS MonthEnd, EOMONTH(OrderDate, 1) AS NextMonthEnd FROM dbo.Orders WHERE OrderID < 5
GO
SELECT DATEFROMPARTS(2024, 2, 29) AS LeapDay, DATETIMEFROMPARTS(2024, 1, 2, 3, 4, 5, 0) AS DT
GO
SELECT CAST(OrderDate AS date) AS Day, COUNT(*) AS Orders FROM dbo.Orders GROUP BY CAST(OrderDate AS date) ORDER BY Day
GO
SELECT CONVERT(varchar(10), OrderDate, 120) AS Iso, CONVERT(varchar(10), OrderDate, 101) AS US, CONVERT(varchar(10), OrderDate, 103) AS UK, CONVERT(char(8), OrderDate, 112) AS Compact FROM dbo.Orders WHERE OrderID < 5
GO
SELECT CONVERT(varchar(7), OrderDate, 120) AS YearMonth, COUNT(*) AS N FROM dbo.Orders GROUP BY CONVERT(varchar(7), OrderDate, 120) ORDER BY YearMonth
GO
SELECT FORMAT(OrderDate, 'yyyy-MM') AS Ym, COUNT(*) AS N FROM dbo.Orders GROUP BY FORMAT(OrderDate, 'yyyy-MM') ORDER BY Ym
GO
SELECT FORMAT(OrderDate, 'dd/MM/yyyy') AS D, FORMAT(OrderDate, 'MMM yyyy') AS MY, FORMAT(OrderDate, 'HH:mm') AS HM FROM dbo.Orders WHERE OrderID < 5
GO
SELECT * FROM dbo.Orders WHERE OrderDate >= DATEADD(day, -30, (SELECT MAX(OrderDate) FROM dbo.Orders))
GO
SELECT * FROM dbo.Orders WHERE OrderDate >= DATEADD(month, DATEDIFF(month, 0, '2024-05-17'), 0) AND OrderDate < '2024-06-01'
GO
SELECT DATETRUNC(month, OrderDate) AS MonthStart, COUNT(*) AS N FROM dbo.Orders GROUP BY DATETRUNC(month, OrderDate) ORDER BY MonthStart
GO
SELECT ISDATE('2024-02-30') AS Bad, ISDATE('2024-02-28') AS Good
GO
SELECT EmployeeID, HireDate FROM dbo.Employees WHERE DATEDIFF(day, HireDate, '2025-01-01') > 3000
GO
SELECT DATEPART(year, OrderDate) AS Y, DATEPART(week, OrderDate) AS W, COUNT(*) AS N FROM dbo.Orders WHERE YEAR(OrderDate) = 2024 GROUP BY DATEPART(year, OrderDate), DATEPART(week, OrderDate) ORDER BY Y, W
GO
SELECT CAST('2024-03-01T10:15:00' AS datetime2) AS DT2, CAST('2024-03-01' AS datetime) AS DT, CAST('10:15:00' AS time) AS T
GO
SELECT DATEPART(dayofyear, OrderDate) AS DayOfYear, DATEADD(week, 2, OrderDate) AS TwoWeeksLater FROM dbo.Orders WHERE OrderID < 4
GO
SELECT EOMONTH('2024-02-10') AS EndOfFeb, DAY(EOMONTH('2024-02-10')) AS DaysInFeb
GO
SELECT CustomerID, CreatedAt, DATEDIFF(day, CreatedAt, GETDATE()) AS AgeDays FROM dbo.Customers WHERE CustomerID < 5
GO

-- @category math
SELECT ABS(-5) AS A, CEILING(4.2) AS C, FLOOR(4.8) AS F, ROUND(123.4567, 2) AS R, ROUND(123.4567, -1) AS R2
GO
SELECT POWER(2, 10) AS P, SQRT(16) AS S, SQUARE(3) AS Sq, EXP(1) AS E, LOG(10) AS L, LOG10(1000) AS L10, PI() AS Pi
GO
SELECT SIGN(-3) AS S1, SIGN(0) AS S0, 7 / 2 AS IntDiv, 7 % 2 AS Modulo, 7.0 / 2 AS DecDiv
GO
SELECT ProductID, UnitPrice, ROUND(UnitPrice * 0.9, 2) AS Discounted, CEILING(UnitPrice) AS Up FROM dbo.Products WHERE ProductID < 5
GO
SELECT CAST(ROUND(AVG(Salary), 0) AS int) AS AvgSalary FROM dbo.Employees
GO
SELECT RAND(42) AS R
GO
SELECT CAST(100.0 * SUM(CASE WHEN Status = 'Cancelled' THEN 1 ELSE 0 END) / COUNT(*) AS decimal(5, 2)) AS CancelRate FROM dbo.Orders
GO
SELECT GREATEST(1, 5, 3) AS G, LEAST(4, 2, 8) AS L
GO
SELECT ProductID, UnitPrice, NTILE(10) OVER (ORDER BY UnitPrice) AS Decile, ROUND(UnitPrice, 0, 1) AS Truncated FROM dbo.Products WHERE ProductID < 20
GO
SELECT SIN(PI() / 2) AS S, COS(0) AS C, ATAN(1) * 4 AS Pi, DEGREES(PI()) AS D, RADIANS(180.0) AS R
GO

-- @category case
SELECT ProductID, CASE WHEN UnitPrice < 100 THEN 'cheap' WHEN UnitPrice < 300 THEN 'mid' ELSE 'premium' END AS Tier FROM dbo.Products
GO
SELECT OrderID, CASE Status WHEN 'Open' THEN 1 WHEN 'Shipped' THEN 2 ELSE 3 END AS StatusCode FROM dbo.Orders WHERE OrderID < 10
GO
SELECT ProductID, IIF(Discontinued = 1, 'no longer sold', 'on sale') AS State FROM dbo.Products WHERE ProductID < 25
GO
SELECT EmployeeID, IIF(Salary > 100000, 'high', IIF(Salary > 70000, 'mid', 'low')) AS Band FROM dbo.Employees WHERE EmployeeID < 15
GO
SELECT CHOOSE(2, 'a', 'b', 'c') AS Second, CHOOSE(MONTH(OrderDate), 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec') AS Mon FROM dbo.Orders WHERE OrderID < 5
GO
SELECT NULLIF(Quantity, 1) AS QtyOrNull, COALESCE(NULL, NULL, 'third') AS C FROM dbo.OrderLines WHERE OrderID = 1
GO
SELECT Status, COUNT(CASE WHEN YEAR(OrderDate) = 2023 THEN 1 END) AS Y2023, COUNT(CASE WHEN YEAR(OrderDate) = 2024 THEN 1 END) AS Y2024 FROM dbo.Orders GROUP BY Status
GO
SELECT CustomerID, ISNULL(Email, 'no email') AS Email FROM dbo.Customers WHERE CustomerID BETWEEN 9 AND 13
GO
SELECT OrderID FROM dbo.Orders ORDER BY CASE WHEN Status = 'Open' THEN 0 ELSE 1 END, OrderID OFFSET 0 ROWS FETCH NEXT 5 ROWS ONLY
GO
SELECT EmployeeID, CASE WHEN ManagerID IS NULL THEN 'top' ELSE 'reports to ' + CAST(ManagerID AS varchar(10)) END AS Role FROM dbo.Employees WHERE EmployeeID < 12
GO

-- @category conversion
SELECT CAST(UnitPrice AS int) AS I, CAST(UnitPrice AS varchar(20)) AS V, CONVERT(decimal(10, 1), UnitPrice) AS D FROM dbo.Products WHERE ProductID < 5
GO
SELECT TRY_CONVERT(int, '123') AS Ok, TRY_CONVERT(int, 'abc') AS Bad, TRY_CAST('2024-01-01' AS date) AS D, TRY_CAST('nope' AS date) AS NoDate
GO
SELECT CAST(1 AS bit) AS T, CAST(0 AS bit) AS F, CAST(IsActive AS int) AS ActiveInt FROM dbo.Employees WHERE EmployeeID = 1
GO
SELECT CAST(OrderID AS nvarchar(10)) + N'-' + Status AS Label FROM dbo.Orders WHERE OrderID < 5
GO
SELECT CONVERT(nvarchar(50), Salary) AS S, CAST(Salary AS money) AS M, CAST(Salary AS float) AS F FROM dbo.Employees WHERE EmployeeID < 3
GO
SELECT CAST('12.5' AS decimal(5, 2)) * 2 AS Doubled, CONVERT(int, '42') + 1 AS FortyThree
GO
SELECT CAST(CustomerID AS bigint) AS Big, CAST(CustomerID AS smallint) AS Small, CAST(CustomerID AS tinyint) AS Tiny FROM dbo.Customers WHERE CustomerID < 3
GO
SELECT LEN(CAST(NEWID() AS varchar(36))) AS GuidLength, TRY_CONVERT(uniqueidentifier, '6F9619FF-8B86-D011-B42D-00C04FC964FF') AS G
GO
SELECT ISNUMERIC('12.5') AS N1, ISNUMERIC('abc') AS N2
GO
SELECT TRY_PARSE('123' AS int) AS P
GO

-- @category json
SELECT TOP 3 CustomerID, Name FROM dbo.Customers ORDER BY CustomerID FOR JSON AUTO
GO
SELECT TOP 3 CustomerID AS id, Name AS name FROM dbo.Customers ORDER BY CustomerID FOR JSON PATH
GO
SELECT TOP 2 CustomerID, Name FROM dbo.Customers ORDER BY CustomerID FOR JSON PATH, ROOT('customers')
GO
SELECT CustomerID, Name FROM dbo.Customers WHERE CustomerID = 1 FOR JSON PATH, WITHOUT_ARRAY_WRAPPER
GO
SELECT TOP 2 CustomerID, Email FROM dbo.Customers WHERE CustomerID >= 10 ORDER BY CustomerID FOR JSON PATH, INCLUDE_NULL_VALUES
GO
SELECT o.OrderID, (SELECT ol.ProductID, ol.Quantity FROM dbo.OrderLines ol WHERE ol.OrderID = o.OrderID FOR JSON PATH) AS Lines FROM dbo.Orders o WHERE o.OrderID < 4
GO
SELECT ProductID, JSON_VALUE(Attributes, '$.color') AS Color, JSON_VALUE(Attributes, '$.weight') AS Weight FROM dbo.Products WHERE ProductID < 6
GO
SELECT ProductID FROM dbo.Products WHERE JSON_VALUE(Attributes, '$.color') = 'red'
GO
SELECT ProductID, ISJSON(Attributes) AS Valid, JSON_QUERY(Attributes, '$.tags') AS Tags FROM dbo.Products WHERE ProductID < 4
GO
SELECT * FROM OPENJSON(N'{"a": 1, "b": "two", "c": [1, 2]}')
GO
SELECT * FROM OPENJSON(N'[{"id": 1, "name": "x"}, {"id": 2, "name": "y"}]') WITH (id int '$.id', name nvarchar(20) '$.name')
GO
SELECT j.id, j.name FROM OPENJSON(N'[{"id": 1, "name": "x"}]') WITH (id int, name nvarchar(20)) AS j
GO
SELECT JSON_VALUE(N'{"customer": {"name": "Ada"}}', '$.customer.name') AS NestedName
GO
SELECT c.CustomerID, c.Name, r.Name AS RegionName FROM dbo.Customers c JOIN dbo.Regions r ON r.RegionID = c.RegionID WHERE c.CustomerID < 3 FOR JSON PATH
GO

-- @category xml
SELECT TOP 3 RegionID, Name FROM dbo.Regions FOR XML PATH('region'), ROOT('regions')
GO
SELECT TOP 3 RegionID, Name FROM dbo.Regions FOR XML RAW
GO
SELECT (SELECT ',' + CAST(RegionID AS varchar(5)) FROM dbo.Regions FOR XML PATH('')) AS Ids
GO

-- @category variables
DECLARE @n int = 3; SELECT TOP (@n) * FROM dbo.Orders ORDER BY OrderID
GO
DECLARE @start date = '2024-01-01', @end date = '2024-03-31'; SELECT COUNT(*) AS Orders FROM dbo.Orders WHERE OrderDate >= @start AND OrderDate < DATEADD(day, 1, @end)
GO
DECLARE @cat nvarchar(50); SET @cat = N'Books'; SELECT ProductID, Name FROM dbo.Products WHERE Category = @cat
GO
DECLARE @total money; SELECT @total = SUM(Quantity * UnitPrice) FROM dbo.OrderLines; SELECT @total AS Total
GO
DECLARE @max decimal(12, 2) = (SELECT MAX(Salary) FROM dbo.Employees); SELECT EmployeeID, Salary FROM dbo.Employees WHERE Salary = @max
GO
DECLARE @region int = 2; DECLARE @status varchar(20) = 'Open'; SELECT COUNT(*) AS N FROM dbo.Orders o JOIN dbo.Customers c ON c.CustomerID = o.CustomerID WHERE c.RegionID = @region AND o.Status = @status
GO
DECLARE @x int = 10, @y int = 3; SELECT @x / @y AS IntDiv, @x % @y AS Modulo, CAST(@x AS float) / @y AS Ratio
GO
DECLARE @name nvarchar(100); SELECT TOP 1 @name = Name FROM dbo.Customers ORDER BY CustomerID DESC; SELECT @name AS LastCustomer
GO
SET NOCOUNT ON; SELECT COUNT(*) AS N FROM dbo.Products
GO
DECLARE @pct decimal(5, 2) = 10; SELECT TOP (@pct) PERCENT ProductID FROM dbo.Products ORDER BY UnitPrice
GO
DECLARE @d datetime = '2024-06-15'; SELECT DATEADD(day, 1 - DAY(@d), @d) AS MonthStart, EOMONTH(@d) AS MonthEnd
GO
DECLARE @json nvarchar(max) = N'[{"id":1},{"id":2}]'; SELECT id FROM OPENJSON(@json) WITH (id int '$.id')
GO
DECLARE @list varchar(100) = '1,3,5'; SELECT ProductID, Name FROM dbo.Products WHERE ProductID IN (SELECT CAST(value AS int) FROM STRING_SPLIT(@list, ','))
GO
DECLARE @i int = 5; SET @i = @i * 2; SET @i += 1; SELECT @i AS Eleven
GO
SELECT COUNT(*) AS N FROM dbo.Regions; SELECT @@ROWCOUNT AS RowsBefore
GO
DECLARE @top int = 2; WITH r AS (SELECT *, ROW_NUMBER() OVER (ORDER BY RegionID) AS rn FROM dbo.Regions) SELECT * FROM r WHERE rn <= @top
GO

-- @category catalog
SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES ORDER BY TABLE_NAME
GO
SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'Orders' ORDER BY ORDINAL_POSITION
GO
SELECT TABLE_NAME, COUNT(*) AS Columns FROM INFORMATION_SCHEMA.COLUMNS GROUP BY TABLE_NAME
GO
SELECT tc.TABLE_NAME, kcu.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE kcu ON kcu.CONSTRAINT_NAME = tc.CONSTRAINT_NAME WHERE tc.CONSTRAINT_TYPE = 'PRIMARY KEY'
GO
SELECT CONSTRAINT_NAME, UNIQUE_CONSTRAINT_NAME, DELETE_RULE FROM INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS
GO
SELECT TABLE_NAME FROM INFORMATION_SCHEMA.VIEWS
GO
SELECT s.name AS SchemaName, t.name AS TableName FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id ORDER BY t.name
GO
SELECT name, object_id, type_desc FROM sys.objects WHERE type IN ('U', 'V') ORDER BY name
GO
SELECT c.name AS ColumnName, t.name AS TypeName, c.max_length, c.is_nullable FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id WHERE c.object_id = OBJECT_ID('dbo.Orders') ORDER BY c.column_id
GO
SELECT name, system_type_id, max_length FROM sys.types ORDER BY name
GO
SELECT t.name AS TableName, SUM(p.rows) AS RowCounts FROM sys.tables t JOIN sys.partitions p ON p.object_id = t.object_id AND p.index_id IN (0, 1) GROUP BY t.name ORDER BY RowCounts DESC
GO
SELECT OBJECT_NAME(object_id) AS TableName, SUM(row_count) AS Rows FROM sys.dm_db_partition_stats WHERE index_id IN (0, 1) GROUP BY object_id
GO
SELECT fk.name AS FK, OBJECT_NAME(fk.parent_object_id) AS ChildTable, OBJECT_NAME(fk.referenced_object_id) AS ParentTable FROM sys.foreign_keys fk
GO
SELECT i.name AS IndexName, OBJECT_NAME(i.object_id) AS TableName, i.type_desc, i.is_unique FROM sys.indexes i WHERE OBJECT_NAME(i.object_id) = 'Orders'
GO
SELECT OBJECT_ID('dbo.Customers') AS Id, OBJECT_NAME(OBJECT_ID('dbo.Customers')) AS Name, SCHEMA_NAME() AS DefaultSchema
GO
SELECT SCHEMA_NAME(schema_id) AS SchemaName, name FROM sys.tables
GO
SELECT OBJECT_SCHEMA_NAME(object_id) AS S, name FROM sys.views
GO
SELECT name, database_id, state_desc FROM sys.databases
GO
SELECT DB_NAME() AS CurrentDb, DB_ID() AS DbId, USER_NAME() AS DbUser, SUSER_SNAME() AS LoginName
GO
SELECT @@VERSION AS Version, @@SERVERNAME AS ServerName, @@SPID AS Spid
GO
SELECT SERVERPROPERTY('ProductVersion') AS Version, SERVERPROPERTY('Edition') AS Edition
GO
SELECT CURRENT_USER AS CurrentUser, SYSTEM_USER AS SystemUser, SESSION_USER AS SessionUser
GO
SELECT c.TABLE_NAME, c.COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS c WHERE c.COLUMN_NAME LIKE '%ID' ORDER BY c.TABLE_NAME, c.COLUMN_NAME
GO
SELECT OBJECT_DEFINITION(OBJECT_ID('dbo.vEmployeeDirectory')) AS Definition
GO
SELECT m.definition FROM sys.sql_modules m WHERE m.object_id = OBJECT_ID('dbo.vCustomerOrderTotals')
GO
SELECT COL_NAME(OBJECT_ID('dbo.Orders'), 1) AS FirstColumn, COLUMNPROPERTY(OBJECT_ID('dbo.Orders'), 'OrderID', 'AllowsNull') AS AllowsNull
GO
SELECT TYPE_NAME(56) AS IntName, TYPE_ID('nvarchar') AS NvarcharId
GO
SELECT ic.index_id, c.name FROM sys.index_columns ic JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE ic.object_id = OBJECT_ID('dbo.OrderLines')
GO
SELECT ep.name, ep.value FROM sys.extended_properties ep WHERE ep.major_id = OBJECT_ID('dbo.Customers')
GO
SELECT t.name FROM sys.tables t WHERE NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.object_id = t.object_id AND i.is_primary_key = 1)
GO
SELECT HAS_PERMS_BY_NAME('dbo.Orders', 'OBJECT', 'SELECT') AS CanRead
GO
SELECT IS_MEMBER('db_owner') AS IsOwner
GO

-- @category procedures
EXEC sp_help 'dbo.Orders'
GO
EXEC sp_help N'Customers'
GO
EXECUTE sp_columns @table_name = 'Orders'
GO
EXEC sp_columns 'Products'
GO
EXEC sp_tables @table_type = "'TABLE'"
GO
EXEC sp_tables
GO
EXEC sp_pkeys @table_name = 'OrderLines'
GO
EXEC sp_fkeys @pktable_name = 'Customers'
GO
EXEC sp_helpindex 'dbo.Orders'
GO
EXEC sp_spaceused 'dbo.Orders'
GO
EXEC sp_helptext 'dbo.vEmployeeDirectory'
GO
EXEC sp_describe_first_result_set N'SELECT OrderID, OrderDate FROM dbo.Orders'
GO
EXEC sys.sp_help 'dbo.Products'
GO
EXEC dbo.sp_columns @table_name = N'Regions', @column_name = N'Name'
GO

-- @category hints
SELECT * FROM dbo.Orders WHERE OrderID < 5 OPTION (RECOMPILE)
GO
SELECT * FROM dbo.Orders WHERE OrderID < 5 OPTION (MAXDOP 1)
GO
SELECT COUNT(*) AS N FROM dbo.Orders OPTION (MAXDOP 1, RECOMPILE)
GO
SELECT * FROM dbo.Orders WITH (NOLOCK) WHERE OrderID < 5
GO
SELECT * FROM dbo.Orders WITH (READUNCOMMITTED) WHERE OrderID < 5
GO
SELECT * FROM dbo.Orders WITH (INDEX(IX_Orders_CustomerID)) WHERE CustomerID = 5
GO
SELECT * FROM dbo.Orders o WITH (NOLOCK, INDEX(IX_Orders_CustomerID)) WHERE o.CustomerID = 5
GO
SELECT * FROM dbo.Orders WITH (FORCESEEK) WHERE OrderID = 5
GO
SELECT * FROM dbo.Orders WHERE CustomerID = 7 OPTION (OPTIMIZE FOR UNKNOWN)
GO
SELECT * FROM dbo.Orders WHERE OrderID < 3 OPTION (USE HINT ('DISABLE_OPTIMIZER_ROWGOAL'))
GO
SELECT o.OrderID FROM dbo.Orders o INNER MERGE JOIN dbo.Customers c ON c.CustomerID = o.CustomerID WHERE o.OrderID < 5 OPTION (FORCE ORDER)
GO

-- @category paging
SELECT OrderID, OrderDate FROM dbo.Orders ORDER BY OrderDate OFFSET 100 ROWS FETCH NEXT 25 ROWS ONLY
GO
SELECT OrderID FROM dbo.Orders ORDER BY OrderID OFFSET 2990 ROWS
GO
DECLARE @page int = 3, @size int = 10; SELECT CustomerID, Name FROM dbo.Customers ORDER BY CustomerID OFFSET (@page - 1) * @size ROWS FETCH NEXT @size ROWS ONLY
GO
SELECT * FROM (SELECT CustomerID, Name, ROW_NUMBER() OVER (ORDER BY CustomerID) AS rn FROM dbo.Customers) x WHERE rn BETWEEN 11 AND 20
GO
SELECT TOP 10 * FROM dbo.Orders WHERE OrderID > 500 ORDER BY OrderID
GO
SELECT TOP 5 * FROM dbo.Products ORDER BY NEWID()
GO

-- @category analytics
SELECT r.Name AS Region, YEAR(o.OrderDate) AS Y, SUM(ol.Quantity * ol.UnitPrice) AS Revenue FROM dbo.Orders o JOIN dbo.Customers c ON c.CustomerID = o.CustomerID JOIN dbo.Regions r ON r.RegionID = c.RegionID JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID GROUP BY r.Name, YEAR(o.OrderDate) ORDER BY r.Name, Y
GO
SELECT TOP 10 p.Name, SUM(ol.Quantity) AS Units, SUM(ol.Quantity * ol.UnitPrice) AS Revenue FROM dbo.OrderLines ol JOIN dbo.Products p ON p.ProductID = ol.ProductID GROUP BY p.Name ORDER BY Revenue DESC
GO
SELECT e.EmployeeID, e.FirstName + ' ' + e.LastName AS Rep, COUNT(DISTINCT o.OrderID) AS Orders FROM dbo.Employees e JOIN dbo.Orders o ON o.EmployeeID = e.EmployeeID GROUP BY e.EmployeeID, e.FirstName, e.LastName ORDER BY Orders DESC OFFSET 0 ROWS FETCH NEXT 10 ROWS ONLY
GO
SELECT Status, CAST(COUNT(*) * 100.0 / SUM(COUNT(*)) OVER () AS decimal(5, 2)) AS Pct FROM dbo.Orders GROUP BY Status
GO
SELECT YEAR(OrderDate) AS Y, DATEPART(quarter, OrderDate) AS Q, COUNT(*) AS Orders FROM dbo.Orders GROUP BY YEAR(OrderDate), DATEPART(quarter, OrderDate) ORDER BY Y, Q
GO
WITH m AS (SELECT YEAR(o.OrderDate) AS Y, MONTH(o.OrderDate) AS M, SUM(ol.Quantity * ol.UnitPrice) AS Revenue FROM dbo.Orders o JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID GROUP BY YEAR(o.OrderDate), MONTH(o.OrderDate)) SELECT Y, M, Revenue, SUM(Revenue) OVER (PARTITION BY Y ORDER BY M) AS YearToDate FROM m ORDER BY Y, M
GO
WITH y AS (SELECT YEAR(o.OrderDate) AS Y, SUM(ol.Quantity * ol.UnitPrice) AS Revenue FROM dbo.Orders o JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID GROUP BY YEAR(o.OrderDate)) SELECT Y, Revenue, LAG(Revenue) OVER (ORDER BY Y) AS PrevYear, (Revenue - LAG(Revenue) OVER (ORDER BY Y)) * 100.0 / NULLIF(LAG(Revenue) OVER (ORDER BY Y), 0) AS GrowthPct FROM y
GO
SELECT c.CustomerID, c.Name, MAX(o.OrderDate) AS LastOrder, COUNT(o.OrderID) AS Frequency, SUM(ol.Quantity * ol.UnitPrice) AS Monetary FROM dbo.Customers c JOIN dbo.Orders o ON o.CustomerID = c.CustomerID JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID GROUP BY c.CustomerID, c.Name HAVING COUNT(o.OrderID) > 5 ORDER BY Monetary DESC
GO
SELECT p.Category, AVG(ol.Quantity * 1.0) AS AvgUnits, MAX(ol.Quantity) AS MaxUnits FROM dbo.OrderLines ol JOIN dbo.Products p ON p.ProductID = ol.ProductID GROUP BY p.Category
GO
SELECT d.Name AS Department, COUNT(e.EmployeeID) AS Headcount, AVG(e.Salary) AS AvgSalary, MIN(e.HireDate) AS FirstHire FROM dbo.Departments d LEFT JOIN dbo.Employees e ON e.DepartmentID = d.DepartmentID GROUP BY d.Name ORDER BY Headcount DESC
GO
SELECT o.CustomerID, COUNT(*) AS Orders, DATEDIFF(day, MIN(o.OrderDate), MAX(o.OrderDate)) AS SpanDays FROM dbo.Orders o GROUP BY o.CustomerID HAVING COUNT(*) > 1 ORDER BY SpanDays DESC OFFSET 0 ROWS FETCH NEXT 10 ROWS ONLY
GO
SELECT a.ProductID AS P1, b.ProductID AS P2, COUNT(*) AS TimesTogether FROM dbo.OrderLines a JOIN dbo.OrderLines b ON a.OrderID = b.OrderID AND a.ProductID < b.ProductID GROUP BY a.ProductID, b.ProductID HAVING COUNT(*) > 2 ORDER BY TimesTogether DESC
GO
SELECT TOP 1 WITH TIES c.RegionID, COUNT(*) AS Orders FROM dbo.Orders o JOIN dbo.Customers c ON c.CustomerID = o.CustomerID GROUP BY c.RegionID ORDER BY COUNT(*) DESC
GO
SELECT DATENAME(weekday, OrderDate) AS DayName, COUNT(*) AS Orders FROM dbo.Orders GROUP BY DATENAME(weekday, OrderDate) ORDER BY Orders DESC
GO
SELECT CASE WHEN Salary < 60000 THEN '<60k' WHEN Salary < 90000 THEN '60-90k' ELSE '90k+' END AS Band, COUNT(*) AS People FROM dbo.Employees GROUP BY CASE WHEN Salary < 60000 THEN '<60k' WHEN Salary < 90000 THEN '60-90k' ELSE '90k+' END
GO
SELECT c.RegionID, o.Status, COUNT(*) AS N FROM dbo.Orders o JOIN dbo.Customers c ON c.CustomerID = o.CustomerID GROUP BY c.RegionID, o.Status ORDER BY c.RegionID, o.Status
GO
SELECT YEAR(c.CreatedAt) AS SignupYear, COUNT(*) AS Customers FROM dbo.Customers c GROUP BY YEAR(c.CreatedAt) ORDER BY SignupYear
GO
SELECT p.ProductID, p.Name FROM dbo.Products p LEFT JOIN dbo.OrderLines ol ON ol.ProductID = p.ProductID WHERE ol.ProductID IS NULL
GO
SELECT TOP 5 o.OrderID, COUNT(ol.LineNo) AS Lines, SUM(ol.Quantity) AS Units FROM dbo.Orders o JOIN dbo.OrderLines ol ON ol.OrderID = o.OrderID GROUP BY o.OrderID ORDER BY Units DESC, o.OrderID
GO
SELECT e.DepartmentID, MAX(e.Salary) - MIN(e.Salary) AS SalarySpread FROM dbo.Employees e GROUP BY e.DepartmentID HAVING MAX(e.Salary) - MIN(e.Salary) > 10000
GO

-- @category formatting
SELECT
    o.OrderID,
    c.Name AS CustomerName,   -- who ordered
    o.OrderDate               /* when */
FROM dbo.Orders AS o
    INNER JOIN dbo.Customers AS c
        ON c.CustomerID = o.CustomerID
WHERE o.OrderID <= 3
ORDER BY o.OrderID;
GO
/* A report LLMs often produce, with comments and brackets. */
SELECT [p].[Category],
       COUNT(*)            AS [Product Count],
       AVG([p].[UnitPrice]) AS [Average Price]
FROM   [Sales].[dbo].[Products] AS [p]
GROUP  BY [p].[Category]
ORDER  BY [Average Price] DESC;
GO
SELECT TOP (10)
       c.CustomerID
     , c.Name
FROM dbo.Customers c
ORDER BY c.CustomerID;
GO
-- trailing semicolons and a leading one
;SELECT 1 AS a;
GO
SELECT Name FROM dbo.Regions WHERE Name = 'North' -- inline comment at the end
GO
SELECT COUNT(*) AS [Count] FROM dbo.Orders; SELECT COUNT(*) AS [Count] FROM dbo.Customers;
GO
SELECT 'a;b' AS semicolon_in_string, '--not a comment' AS dashes, '/*' AS star
GO
SELECT [Order Count] = COUNT(*) FROM dbo.Orders
GO
SELECT Total = SUM(Quantity), Lines = COUNT(*) FROM dbo.OrderLines
GO
SELECT o.[OrderID], o.[Status] FROM [dbo].[Orders] o WHERE o.[Status] = N'Open' AND o.[OrderID] < 20
GO
