-- Read-only T-SQL of SQL Server 2017-2022, from the T-SQL reference's "what's new" lists, against the sample
-- Sales database. Same format as reads.sql; `npm run corpus` measures this file apart (guard and execution).

-- @category window-frames
SELECT OrderID, OrderDate, COUNT(*) OVER (ORDER BY OrderDate ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS Last3 FROM dbo.Orders WHERE OrderID <= 20
GO
SELECT OrderID, SUM(OrderID) OVER (ORDER BY OrderID ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS Running FROM dbo.Orders WHERE OrderID <= 20
GO
SELECT OrderID, AVG(CAST(OrderID AS decimal(10, 2))) OVER (ORDER BY OrderID ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS Centered FROM dbo.Orders WHERE OrderID <= 30
GO
SELECT ProductID, UnitPrice, SUM(UnitPrice) OVER (ORDER BY UnitPrice RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS CumPrice FROM dbo.Products
GO
SELECT ProductID, MAX(UnitPrice) OVER (PARTITION BY Category ORDER BY ProductID ROWS UNBOUNDED PRECEDING) AS MaxSoFar FROM dbo.Products
GO
SELECT ProductID, LAST_VALUE(Name) OVER (PARTITION BY Category ORDER BY UnitPrice ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS Priciest FROM dbo.Products
GO
SELECT ProductID, FIRST_VALUE(Name) OVER (PARTITION BY Category ORDER BY UnitPrice) AS Cheapest FROM dbo.Products
GO
SELECT OrderID, MIN(OrderDate) OVER (ORDER BY OrderID ROWS BETWEEN 1 FOLLOWING AND 5 FOLLOWING) AS NextFive FROM dbo.Orders WHERE OrderID <= 20
GO

-- @category window-clause
SELECT ProductID, Category, UnitPrice, SUM(UnitPrice) OVER w AS CatTotal, AVG(UnitPrice) OVER w AS CatAvg FROM dbo.Products WINDOW w AS (PARTITION BY Category)
GO
SELECT OrderID, CustomerID, ROW_NUMBER() OVER w AS N, LAG(OrderID) OVER w AS PrevOrder FROM dbo.Orders WHERE CustomerID <= 5 WINDOW w AS (PARTITION BY CustomerID ORDER BY OrderDate)
GO
SELECT ProductID, SUM(UnitPrice) OVER (w ORDER BY ProductID) AS Running FROM dbo.Products WINDOW w AS (PARTITION BY Category)
GO
SELECT EmployeeID, Salary, RANK() OVER win AS R, DENSE_RANK() OVER win AS DR FROM dbo.Employees WHERE DepartmentID = 1 WINDOW win AS (ORDER BY Salary DESC)
GO
SELECT ProductID, MIN(UnitPrice) OVER a AS Lo, MAX(UnitPrice) OVER b AS Hi FROM dbo.Products WINDOW a AS (PARTITION BY Category), b AS (a)
GO

-- @category grouping
SELECT Category, Discontinued, COUNT(*) AS N FROM dbo.Products GROUP BY GROUPING SETS ((Category, Discontinued), (Category), ())
GO
SELECT Category, Discontinued, COUNT(*) AS N, GROUPING(Category) AS GC, GROUPING(Discontinued) AS GD FROM dbo.Products GROUP BY CUBE (Category, Discontinued)
GO
SELECT Category, Discontinued, COUNT(*) AS N, GROUPING_ID(Category, Discontinued) AS GID FROM dbo.Products GROUP BY ROLLUP (Category, Discontinued)
GO
SELECT Status, YEAR(OrderDate) AS Y, COUNT(*) AS N FROM dbo.Orders GROUP BY GROUPING SETS ((Status), (YEAR(OrderDate)))
GO
SELECT RegionID, COUNT(*) AS N FROM dbo.Customers GROUP BY RegionID WITH ROLLUP
GO
SELECT Category, COUNT(*) AS N FROM dbo.Products GROUP BY Category WITH CUBE
GO
SELECT CASE WHEN GROUPING(Category) = 1 THEN 'All' ELSE Category END AS Category, SUM(UnitPrice) AS Total FROM dbo.Products GROUP BY ROLLUP (Category)
GO
SELECT Status, CustomerID, COUNT(*) AS N FROM dbo.Orders WHERE CustomerID <= 3 GROUP BY GROUPING SETS (ROLLUP (Status), CustomerID)
GO

-- @category ordered-set
SELECT DISTINCT Category, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY UnitPrice) OVER (PARTITION BY Category) AS Median FROM dbo.Products
GO
SELECT DISTINCT Category, PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY UnitPrice) OVER (PARTITION BY Category) AS P90 FROM dbo.Products
GO
SELECT DISTINCT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY Salary) OVER () AS Q1 FROM dbo.Employees
GO
SELECT Category, STRING_AGG(Name, ', ') WITHIN GROUP (ORDER BY Name) AS Names FROM dbo.Products GROUP BY Category
GO
SELECT Category, APPROX_PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY UnitPrice) AS MedianApprox FROM dbo.Products GROUP BY Category
GO
SELECT Category, APPROX_PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY UnitPrice) AS MedianApprox FROM dbo.Products GROUP BY Category
GO
SELECT APPROX_COUNT_DISTINCT(CustomerID) AS Buyers FROM dbo.Orders
GO
SELECT ProductID, CUME_DIST() OVER (ORDER BY UnitPrice) AS CD, PERCENT_RANK() OVER (ORDER BY UnitPrice) AS PR FROM dbo.Products
GO
SELECT EmployeeID, NTILE(4) OVER (ORDER BY Salary) AS Quartile FROM dbo.Employees WHERE DepartmentID = 2
GO
SELECT OrderID, LEAD(OrderDate, 1, NULL) OVER (PARTITION BY CustomerID ORDER BY OrderDate) AS NextOrder FROM dbo.Orders WHERE CustomerID <= 3
GO

-- @category null-comparison
SELECT EmployeeID FROM dbo.Employees WHERE ManagerID IS DISTINCT FROM 1 AND EmployeeID <= 20
GO
SELECT EmployeeID FROM dbo.Employees WHERE ManagerID IS NOT DISTINCT FROM NULL
GO
SELECT c.CustomerID FROM dbo.Customers c JOIN dbo.Customers d ON c.Tags IS NOT DISTINCT FROM d.Tags AND c.CustomerID = d.CustomerID WHERE c.CustomerID <= 10
GO

-- @category greatest-least
SELECT GREATEST(1, 5, 3) AS G, LEAST(1, 5, 3) AS L
GO
SELECT ProductID, GREATEST(UnitPrice, 10) AS AtLeastTen, LEAST(UnitPrice, 100) AS AtMostHundred FROM dbo.Products
GO
SELECT GREATEST('apple', 'pear', 'fig') AS LastWord, LEAST(CAST('2024-01-01' AS date), CAST('2023-06-01' AS date)) AS Earliest
GO

-- @category date-2022
SELECT DATETRUNC(month, OrderDate) AS Month, COUNT(*) AS N FROM dbo.Orders GROUP BY DATETRUNC(month, OrderDate) ORDER BY Month
GO
SELECT DATETRUNC(year, HireDate) AS Y, COUNT(*) AS N FROM dbo.Employees GROUP BY DATETRUNC(year, HireDate) ORDER BY Y
GO
SELECT DATETRUNC(week, CAST('2024-05-15' AS date)) AS WeekStart, DATETRUNC(quarter, CAST('2024-05-15' AS date)) AS QuarterStart
GO
SELECT DATE_BUCKET(WEEK, 1, CAST(OrderDate AS date)) AS Week, COUNT(*) AS N FROM dbo.Orders GROUP BY DATE_BUCKET(WEEK, 1, CAST(OrderDate AS date)) ORDER BY Week
GO
SELECT DATE_BUCKET(DAY, 7, CAST('2024-05-15' AS date), CAST('2024-01-01' AS date)) AS Bucket
GO
SELECT DATE_BUCKET(MONTH, 3, OrderDate) AS Quarter, COUNT(*) AS N FROM dbo.Orders GROUP BY DATE_BUCKET(MONTH, 3, OrderDate)
GO
SELECT EOMONTH(CAST('2024-02-10' AS date)) AS EndOfFeb, DATEFROMPARTS(2024, 2, 29) AS LeapDay, DATETIME2FROMPARTS(2024, 1, 1, 12, 0, 0, 0, 0) AS Noon
GO
SELECT DATEDIFF_BIG(second, CAST('2000-01-01' AS datetime2), CAST('2024-01-01' AS datetime2)) AS Seconds
GO

-- @category time-zone
SELECT OrderID, OrderDate AT TIME ZONE 'UTC' AS AtUtc FROM dbo.Orders WHERE OrderID <= 5
GO
SELECT OrderID, OrderDate AT TIME ZONE 'UTC' AT TIME ZONE 'Pacific Standard Time' AS Pacific FROM dbo.Orders WHERE OrderID <= 5
GO
SELECT CAST('2024-07-01 12:00' AS datetime2) AT TIME ZONE 'Central European Standard Time' AS Berlin
GO
SELECT name, current_utc_offset, is_currently_dst FROM sys.time_zone_info WHERE name LIKE '%Pacific%'
GO
SELECT TOP 5 name FROM sys.time_zone_info ORDER BY name
GO
SELECT SWITCHOFFSET(CAST('2024-01-01T12:00:00+00:00' AS datetimeoffset), '+02:00') AS Shifted, TODATETIMEOFFSET(CAST('2024-01-01 12:00' AS datetime2), '-05:00') AS Eastern
GO

-- @category series
SELECT value FROM GENERATE_SERIES(1, 10)
GO
SELECT value FROM GENERATE_SERIES(0, 100, 25)
GO
SELECT DATEADD(day, value, CAST('2024-01-01' AS date)) AS Day FROM GENERATE_SERIES(0, 6)
GO
SELECT s.value AS Month, COUNT(o.OrderID) AS N FROM GENERATE_SERIES(1, 12) s LEFT JOIN dbo.Orders o ON MONTH(o.OrderDate) = s.value GROUP BY s.value ORDER BY s.value
GO
SELECT value, ordinal FROM STRING_SPLIT('red,green,blue', ',', 1) ORDER BY ordinal
GO
SELECT c.CustomerID, s.value AS Tag FROM dbo.Customers c CROSS APPLY STRING_SPLIT(c.Tags, ',') s WHERE c.CustomerID <= 10
GO
SELECT c.CustomerID, s.value AS Tag, s.ordinal FROM dbo.Customers c CROSS APPLY STRING_SPLIT(c.Tags, ',', 1) s WHERE c.CustomerID <= 10
GO

-- @category string-2022
SELECT TRIM('  padded  ') AS T, LTRIM('xxabc', 'x') AS L, RTRIM('abcyy', 'y') AS R
GO
SELECT TRIM('x' FROM 'xxabcxx') AS Both
GO
SELECT TRIM(LEADING '0' FROM '000123') AS Leading, TRIM(TRAILING '.' FROM 'end...') AS Trailing, TRIM(BOTH '*' FROM '**x**') AS BothSides
GO
SELECT CONCAT_WS(', ', FirstName, LastName, Email) AS Line FROM dbo.Employees WHERE EmployeeID <= 5
GO
SELECT CONCAT_WS(' | ', Name, Category, CAST(UnitPrice AS varchar(20))) AS Line FROM dbo.Products
GO
SELECT TRANSLATE('2*[3+4]/{7-2}', '[]{}', '()()') AS Formula
GO
SELECT Name, TRANSLATE(Name, 'aeiou', 'AEIOU') AS Shouted FROM dbo.Products
GO
SELECT SOUNDEX('Smith') AS S1, SOUNDEX('Smyth') AS S2, DIFFERENCE('Smith', 'Smyth') AS Similarity
GO
SELECT LastName, SOUNDEX(LastName) AS Code FROM dbo.Employees WHERE EmployeeID <= 10
GO
SELECT STRING_ESCAPE('a"b\c', 'json') AS Escaped
GO
SELECT REPLICATE('ab', 3) AS R, REVERSE('abc') AS Rev, STUFF('abcdef', 2, 3, 'XY') AS Stuffed, FORMAT(1234.5, 'N2') AS Formatted
GO

-- @category hashing
SELECT HASHBYTES('SHA2_256', 'hello') AS H
GO
SELECT ProductID, HASHBYTES('MD5', Name) AS NameHash FROM dbo.Products
GO
SELECT CHECKSUM(Name, Category) AS C, BINARY_CHECKSUM(Name) AS B FROM dbo.Products
GO
SELECT CHECKSUM_AGG(CHECKSUM(Name)) AS TableChecksum FROM dbo.Products
GO

-- @category json-2022
SELECT JSON_OBJECT('id': ProductID, 'name': Name) AS Doc FROM dbo.Products
GO
SELECT JSON_OBJECT('id': 1, 'tags': JSON_ARRAY('a', 'b'), 'none': NULL ABSENT ON NULL) AS Doc
GO
SELECT JSON_ARRAY(1, 'two', NULL NULL ON NULL) AS Arr
GO
SELECT ProductID, JSON_PATH_EXISTS(Attributes, '$.color') AS HasColor FROM dbo.Products WHERE Attributes IS NOT NULL
GO
SELECT ProductID, ISJSON(Attributes) AS Valid, ISJSON(Attributes, OBJECT) AS IsObject FROM dbo.Products
GO
SELECT ProductID, JSON_VALUE(Attributes, '$.color') AS Color, JSON_QUERY(Attributes, '$') AS Doc FROM dbo.Products WHERE ISJSON(Attributes) = 1
GO
SELECT p.ProductID, j.[key], j.[value] FROM dbo.Products p CROSS APPLY OPENJSON(p.Attributes) j WHERE p.Attributes IS NOT NULL
GO
SELECT JSON_MODIFY('{"a":1}', '$.a', 2) AS Modified
GO

-- @category apply-values
SELECT p.ProductID, v.Flag, v.Weight FROM dbo.Products p CROSS APPLY (VALUES (CAST(1 AS bit), 1.5), (CAST(0 AS bit), 2.25)) v(Flag, Weight)
GO
SELECT o.OrderID, x.Label FROM dbo.Orders o CROSS APPLY (VALUES ('first'), ('second')) x(Label) WHERE o.OrderID <= 3
GO
SELECT e.EmployeeID, m.Metric, m.Value FROM dbo.Employees e CROSS APPLY (VALUES ('salary', e.Salary), ('id', CAST(e.EmployeeID AS decimal(12, 2)))) m(Metric, Value) WHERE e.EmployeeID <= 3
GO

-- @category parse
SELECT TRY_PARSE('2024-01-02' AS date USING 'en-US') AS D
GO
SELECT PARSE('123' AS int) AS N, TRY_PARSE('abc' AS int) AS Bad
GO
SELECT TRY_PARSE('12/31/2024' AS datetime2 USING 'en-US') AS D
GO
SELECT TRY_CONVERT(int, '42') AS N, TRY_CAST('x' AS int) AS Bad
GO

-- @category recursion
WITH r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 150) SELECT MAX(n) AS Highest FROM r OPTION (MAXRECURSION 200)
GO
WITH chain AS (SELECT EmployeeID, ManagerID, 0 AS Depth FROM dbo.Employees WHERE ManagerID IS NULL UNION ALL SELECT e.EmployeeID, e.ManagerID, c.Depth + 1 FROM dbo.Employees e JOIN chain c ON e.ManagerID = c.EmployeeID) SELECT Depth, COUNT(*) AS N FROM chain GROUP BY Depth OPTION (MAXRECURSION 0)
GO
WITH d AS (SELECT CAST('2024-01-01' AS date) AS Day UNION ALL SELECT DATEADD(day, 1, Day) FROM d WHERE Day < '2024-03-31') SELECT COUNT(*) AS Days FROM d OPTION (MAXRECURSION 100)
GO

-- @category catalog-2022
SELECT i.name, i.type_desc, i.is_unique, i.is_primary_key, i.fill_factor FROM sys.indexes i WHERE i.object_id = OBJECT_ID('dbo.Orders')
GO
SELECT i.name AS IndexName, c.name AS ColumnName, ic.key_ordinal, ic.is_included_column FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE i.object_id = OBJECT_ID('dbo.OrderLines') ORDER BY i.name, ic.key_ordinal
GO
SELECT OBJECT_NAME(p.object_id) AS TableName, SUM(p.rows) AS Rows FROM sys.partitions p WHERE p.index_id IN (0, 1) GROUP BY p.object_id ORDER BY TableName
GO
SELECT name, compatibility_level, collation_name, state_desc, recovery_model_desc FROM sys.databases WHERE name = DB_NAME()
GO
SELECT OBJECT_NAME(fkc.parent_object_id) AS Child, COL_NAME(fkc.parent_object_id, fkc.parent_column_id) AS ChildColumn, OBJECT_NAME(fkc.referenced_object_id) AS Parent FROM sys.foreign_key_columns fkc ORDER BY Child
GO
SELECT OBJECT_NAME(object_id) AS TableName, SUM(row_count) AS Rows, SUM(used_page_count) * 8 AS UsedKB FROM sys.dm_db_partition_stats WHERE index_id IN (0, 1) GROUP BY object_id ORDER BY TableName
GO
SELECT t.name AS TableName, s.name AS SchemaName, t.create_date, t.modify_date FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id ORDER BY t.name
GO
SELECT c.name, TYPE_NAME(c.user_type_id) AS TypeName, c.max_length, c.is_nullable, c.is_identity FROM sys.columns c WHERE c.object_id = OBJECT_ID('dbo.Products') ORDER BY c.column_id
GO
SELECT SERVERPROPERTY('ProductVersion') AS Version, SERVERPROPERTY('Edition') AS Edition, DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS Collation
GO
EXEC sp_describe_first_result_set N'SELECT ProductID, Name FROM dbo.Products'
GO
EXEC sp_helpindex 'dbo.Orders'
GO
EXEC sp_spaceused 'dbo.Orders'
GO
